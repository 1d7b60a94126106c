// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${name}.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { runProcess } from '../../util/exec.js';
import { failsCheck, type ScanReference } from '../scan/model.js';
import { drainQueue } from '../scan/pool.js';
import { findExecutable } from '../tools.js';
import { venvBin } from '../venv/marker.js';
import type { BuildDir } from './build-dirs.js';
import { type Invocation, pythonInvocations, runsFromVenv } from './commands.js';
import type { CheckContext } from './context.js';
import type { CheckTask, TaskOutcome } from './task.js';
import { type CheckResult, failed, passed, skipped } from './types.js';

/**
 * `cmake`: statically, every CMake reference to Python (COMMAND programs, venv variables,
 * find_package, preset cache variables) is on the unified venv; dynamically, in each build
 * directory, every custom target's generated commands run the venv's interpreter and the
 * cache's interpreter variables name it.
 */

const ADAPTERS = new Set(['cmake', 'cmake-presets']);

/** Conditions follow their find_package; reporting both would say one thing twice. */
function checked(reference: ScanReference): boolean {
  return ADAPTERS.has(reference.adapter) && reference.kind !== 'python-found-condition';
}

function describeReference(reference: ScanReference): string {
  const where = `${reference.file}:${reference.line}`;
  const why =
    reference.skipReason === 'contains-variable'
      ? 'cannot be told statically (a variable set elsewhere)'
      : `runs ${reference.environment}`;
  return `${where} ${reference.text}: ${why}`;
}

/** `CMake target docs` in CMakeLists.txt → `target docs (CMakeLists.txt)`. */
function staticTarget(consumer: string, file: string): string {
  const rest = consumer.replace(/^CMake /, '');
  return rest === file ? file : `${rest} (${file})`;
}

export function staticChecks(context: CheckContext, references: ScanReference[]): CheckResult[] {
  const groups = new Map<string, ScanReference[]>();
  for (const reference of references) {
    if (!checked(reference)) continue;
    const key = `${reference.file}\0${reference.consumer}`;
    let list = groups.get(key);
    if (!list) {
      list = [];
      groups.set(key, list);
    }
    list.push(reference);
  }
  const checks: CheckResult[] = [];
  for (const list of groups.values()) {
    const { file, consumer } = list[0]!;
    const target = staticTarget(consumer, file);
    const id = `cmake:${file}#${consumer.replace(/^CMake /, '')}`;
    const bad = list.filter(failsCheck);
    if (bad.length === 0) {
      const count = list.length;
      checks.push(
        passed(
          'cmake',
          id,
          target,
          `${count} Python reference${count === 1 ? '' : 's'}, all on ${context.venvShown}`,
        ),
      );
      continue;
    }
    checks.push(
      failed(
        'cmake',
        id,
        target,
        bad.map(describeReference).join('\n'),
        `run Python through \${PROJECT_PYTHON}, set once to \${CMAKE_SOURCE_DIR}/${context.venvShown}/bin/python3 (onevenv adopt --write makes the edit)`,
      ),
    );
  }
  return checks;
}

/** Utility targets CMake itself adds to every project. */
const BUILTIN_TARGETS = new Set([
  'edit_cache',
  'rebuild_cache',
  'install',
  'install/local',
  'install/strip',
  'list_install_components',
  'test',
  'package',
  'package_source',
]);

/** The custom targets (`add_custom_target`) a Ninja build defines. */
export function customTargets(buildNinja: string): string[] {
  const names = new Set<string>();
  for (const match of buildNinja.matchAll(/^# Utility command for (.+?)\s*$/gm)) {
    const name = match[1]!;
    if (BUILTIN_TARGETS.has(name) || /^(?:Continuous|Experimental|Nightly)/.test(name)) continue;
    names.add(name);
  }
  return [...names].sort();
}

/** Interpreter variables FindPython and the old modules leave in the cache. */
const CACHE_VARIABLES = [
  'PROJECT_PYTHON',
  'Python3_EXECUTABLE',
  '_Python3_EXECUTABLE',
  'Python_EXECUTABLE',
  '_Python_EXECUTABLE',
  'PYTHON_EXECUTABLE',
];

/** The hint variable a reconfigure should set for a cache entry. */
function hintVariable(name: string): string {
  return name.replace(/^_/, '') === 'PROJECT_PYTHON' ? 'PROJECT_PYTHON' : name.replace(/^_/, '');
}

export function reconfigureCommand(
  context: CheckContext,
  dir: BuildDir,
  variable = 'Python3_EXECUTABLE',
): string {
  return `cmake -S . -B ${dir.shown} -D${variable}=${context.python}`;
}

function cacheCheck(context: CheckContext, dir: BuildDir): CheckResult {
  const id = `cmake:${dir.shown}#cache`;
  const target = dir.temporary ? `${dir.shown}: CMakeCache.txt` : `${dir.shown}/CMakeCache.txt`;
  const bin = venvBin(context.config.venv);
  const wrong: Array<[string, string]> = [];
  const right: string[] = [];
  for (const name of CACHE_VARIABLES) {
    const value = dir.cache.get(name);
    if (value === undefined || value === '' || value.endsWith('-NOTFOUND')) continue;
    const absolute = path.resolve(dir.dir, value);
    if (runsFromVenv(absolute, bin)) right.push(name);
    else wrong.push([name, value]);
  }
  if (wrong.length === 0) {
    const detail =
      right.length === 0
        ? 'no Python interpreter in the cache'
        : `${right.join(', ')} ${right.length === 1 ? 'is' : 'are'} the venv's interpreter`;
    return passed('cmake', id, target, detail);
  }
  const variable = hintVariable(wrong[0]![0]);
  const fix = dir.temporary
    ? `point find_package(Python3) at the venv: set(Python3_EXECUTABLE \${PROJECT_PYTHON}) before it`
    : reconfigureCommand(context, dir, variable);
  return failed(
    'cmake',
    id,
    target,
    wrong.map(([name, value]) => `${name}=${value} is not ${context.pythonShown}`).join('\n'),
    fix,
  );
}

function describeInvocation(invocation: Invocation, context: CheckContext): string {
  if (invocation.resolved === undefined) return `${invocation.program} from PATH`;
  return context.display(invocation.resolved);
}

function truncate(text: string, max = 240): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

async function targetCommands(
  ninja: string,
  dir: BuildDir,
  target: string,
  env: NodeJS.ProcessEnv,
): Promise<string[] | undefined> {
  const result = await runProcess(ninja, ['-C', dir.dir, '-t', 'commands', target], {
    env,
    timeoutMs: 60_000,
  });
  if (result.code !== 0) return undefined;
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

function targetFix(
  context: CheckContext,
  dir: BuildDir,
  target: string,
  references: ScanReference[],
): string {
  const own = references.filter(
    (reference) =>
      reference.adapter === 'cmake' &&
      reference.meta?.target === target &&
      reference.kind === 'python-command',
  );
  const bad = own.find(failsCheck);
  const reconfigure = dir.temporary ? '' : `, then reconfigure: cmake -S . -B ${dir.shown}`;
  if (bad) {
    return `run it with \${PROJECT_PYTHON} at ${bad.file}:${bad.line} (onevenv adopt --write makes the edit)${reconfigure}`;
  }
  if (own.length > 0 && !dir.temporary) {
    return `the build directory predates the listfiles: reconfigure with cmake -S . -B ${dir.shown}`;
  }
  return `make the target's COMMAND run \${PROJECT_PYTHON} (${context.venvShown}/bin/python3)${reconfigure}`;
}

async function buildDirChecks(context: CheckContext, dir: BuildDir): Promise<CheckResult[]> {
  if (dir.error !== undefined) {
    return [
      failed(
        'cmake',
        'cmake:configure',
        dir.shown,
        dir.error,
        'make cmake -S . -B build -G Ninja configure (install what it reports missing), or check an existing build directory with --build-dir',
      ),
    ];
  }
  const checks = [cacheCheck(context, dir)];
  const commandsId = `cmake:${dir.shown}#commands`;
  const generator = dir.cache.get('CMAKE_GENERATOR') ?? '';
  if (generator !== 'Ninja') {
    checks.push(
      skipped(
        'cmake',
        commandsId,
        `${dir.shown}: build commands`,
        `not read: the ${generator || 'unknown'} generator (the command check reads Ninja builds; --configure makes one)`,
      ),
    );
    return checks;
  }
  const makeProgram = dir.cache.get('CMAKE_MAKE_PROGRAM');
  const ninja =
    makeProgram && existsSync(makeProgram)
      ? makeProgram
      : findExecutable('ninja', context.options.env.PATH);
  let buildNinja: string | undefined;
  try {
    buildNinja = await fs.readFile(path.join(dir.dir, 'build.ninja'), 'utf8');
  } catch {
    buildNinja = undefined;
  }
  if (!ninja || buildNinja === undefined) {
    checks.push(
      skipped(
        'cmake',
        commandsId,
        `${dir.shown}: build commands`,
        ninja
          ? 'not read: build.ninja is missing (configure the directory again)'
          : 'not read: ninja is not on PATH',
      ),
    );
    return checks;
  }
  const scan = await context.scan();
  const bin = venvBin(context.config.venv);
  const targets = customTargets(buildNinja);
  // A project may define many custom targets: a few ninja processes at a time.
  const results: Array<{ target: string; lines: string[] | undefined }> = [];
  await drainQueue(targets, 4, async (target) => {
    results.push({ target, lines: await targetCommands(ninja, dir, target, context.options.env) });
  });
  results.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  for (const { target, lines } of results) {
    if (!lines) continue;
    const invocations = lines.flatMap((line) => pythonInvocations(line, dir.dir));
    if (invocations.length === 0) continue;
    const id = `cmake:${dir.shown}#target ${target}`;
    const shownTarget = `${dir.shown}: target ${target}`;
    const bad = invocations.filter(
      (invocation) => invocation.resolved === undefined || !runsFromVenv(invocation.resolved, bin),
    );
    if (bad.length === 0) {
      const programs = [...new Set(invocations.map((i) => describeInvocation(i, context)))];
      checks.push(passed('cmake', id, shownTarget, `runs ${programs.join(', ')}`));
      continue;
    }
    const detail = bad
      .map(
        (invocation) =>
          `runs ${describeInvocation(invocation, context)}, not ${context.pythonShown}: ${truncate(invocation.text)}`,
      )
      .join('\n');
    checks.push(
      failed('cmake', id, shownTarget, detail, targetFix(context, dir, target, scan.references)),
    );
  }
  return checks;
}

function hasCMakeProject(context: CheckContext): boolean {
  return existsSync(path.join(context.root, 'CMakeLists.txt'));
}

export const cmakeTask: CheckTask = {
  kind: 'cmake',
  label: 'cmake',
  async run(context): Promise<TaskOutcome> {
    const scan = await context.scan();
    const checks = staticChecks(context, scan.references);
    if (!hasCMakeProject(context)) {
      if (checks.length === 0) {
        checks.push(skipped('cmake', 'cmake', 'CMake', 'no CMakeLists.txt at the repository root'));
      }
      return { checks };
    }
    const dirs = await context.buildDirs();
    if (dirs.length === 0) {
      checks.push(
        skipped(
          'cmake',
          'cmake:build',
          'build commands',
          'no build directory with a CMakeCache.txt (presets binaryDir, build/, build/*); --build-dir names one, --configure makes a fresh one',
        ),
      );
      return { checks };
    }
    return {
      checks,
      tasks: dirs.map((dir) => ({
        kind: 'cmake',
        label: `cmake ${dir.shown}`,
        run: async (ctx: CheckContext) => ({ checks: await buildDirChecks(ctx, dir) }),
      })),
    };
  },
};
