import { type Dirent, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { runProcess } from '../../util/exec.js';
import { type BuildDir, readCMakeCache } from './build-dirs.js';
import { reconfigureCommand } from './cmake.js';
import type { CheckContext } from './context.js';
import type { CheckTask, TaskOutcome } from './task.js';
import { type CheckResult, failed, makeCheck, passed, skipped } from './types.js';

/**
 * `abi`: every native extension module under `[tool.onevenv] paths` and in the build
 * directories must load in the venv's interpreter. The venv's python is asked once for
 * the suffixes it imports (`importlib.machinery.EXTENSION_SUFFIXES`, whose first entry is
 * `sysconfig`'s EXT_SUFFIX, e.g. `.cpython-311-x86_64-linux-gnu.so`); a module is checked
 * by its file name's tag (`name.cpython-312-x86_64-linux-gnu.so`, `name.cp312-win_amd64.pyd`,
 * `name.abi3.so`).
 *
 * An untagged `name.so`/`name.pyd` is an extension module only when it exports
 * `PyInit_<name>` (a plain shared library does not). Its name does not say which Python
 * it was built for: when it links a libpython (`libpython3.12.so`), that version decides;
 * otherwise the check passes with a warning ("cannot tell"), because extension modules on
 * Linux and macOS usually do not link libpython, and loading one to find out would run
 * its native init code inside onevenv's check.
 */

export interface VenvAbi {
  /** e.g. `.cpython-311-x86_64-linux-gnu.so`. */
  extSuffix: string;
  /** Every suffix the interpreter imports, tagged and untagged. */
  suffixes: string[];
  /** e.g. `cpython-311`. */
  cacheTag: string;
  /** `3.11`. */
  version: string;
  /** `cpython`, `pypy`. */
  implementation: string;
}

const QUERY = [
  'import sys, sysconfig, json, importlib.machinery as m',
  'print(json.dumps({"extSuffix": sysconfig.get_config_var("EXT_SUFFIX") or m.EXTENSION_SUFFIXES[0],',
  '  "suffixes": list(m.EXTENSION_SUFFIXES), "cacheTag": sys.implementation.cache_tag,',
  '  "version": "%d.%d" % sys.version_info[:2], "implementation": sys.implementation.name}))',
].join('\n');

export async function queryVenvAbi(python: string, env: NodeJS.ProcessEnv): Promise<VenvAbi> {
  const clean = { ...env };
  delete clean.PYTHONPATH;
  delete clean.PYTHONHOME;
  const result = await runProcess(python, ['-I', '-c', QUERY], { env: clean, timeoutMs: 60_000 });
  if (result.code !== 0) {
    throw new Error(
      `${python} could not report its ABI: ${result.stderr.trim().split('\n').pop()}`,
    );
  }
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as VenvAbi;
}

export interface ModuleFile {
  /** Absolute. */
  file: string;
  /** The module name (the file name up to its first dot). */
  name: string;
  /** The tag between the name and the extension (`cpython-312-x86_64-linux-gnu`, `abi3`), if any. */
  tag: string | undefined;
  /** `.so` / `.pyd`. */
  extension: string;
}

const MODULE_FILE = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([^.]+))?\.(so|pyd)$/;

/** Parses an extension module's file name; undefined for other files (`libfoo.so.1`, `a.b.c.so`). */
export function parseModuleFile(file: string): ModuleFile | undefined {
  const match = MODULE_FILE.exec(path.basename(file));
  if (!match) return undefined;
  return { file, name: match[1]!, tag: match[2], extension: `.${match[3]}` };
}

/** `cpython-312-x86_64-linux-gnu` → `CPython 3.12 (x86_64-linux-gnu)`. */
export function describeTag(tag: string): string {
  if (tag === 'abi3') return 'the stable ABI (abi3)';
  let match = /^cpython-(\d)(\d+)([a-z]*)(?:-(.+))?$/.exec(tag);
  // Flags stay on the version as Python prints them: 3.13t (free-threaded), 3.12d (debug).
  if (match) return `CPython ${match[1]}.${match[2]}${match[3]}${match[4] ? ` (${match[4]})` : ''}`;
  match = /^cp(\d)(\d+)([a-z]*)(?:-(.+))?$/.exec(tag);
  if (match) return `CPython ${match[1]}.${match[2]}${match[3]}${match[4] ? ` (${match[4]})` : ''}`;
  match = /^pypy(\d)(\d+)-pp\d+(?:-(.+))?$/.exec(tag);
  if (match) return `PyPy ${match[1]}.${match[2]}${match[3] ? ` (${match[3]})` : ''}`;
  return tag;
}

/** Directories of a build tree that never hold the project's own modules. */
const SKIP_DIRS = new Set([
  'CMakeFiles',
  '.git',
  'node_modules',
  '_deps',
  'Testing',
  '__pycache__',
]);
const MAX_DEPTH = 8;

async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  // A venv inside a searched directory is the venv's business, not a build output.
  if (depth > 0 && entries.some((entry) => entry.name === 'pyvenv.cfg')) return;
  await Promise.all(
    entries.map(async (entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) {
          await walk(full, depth + 1, out);
        }
        return;
      }
      if ((entry.isFile() || entry.isSymbolicLink()) && /\.(so|pyd)$/.test(entry.name)) {
        out.push(full);
      }
    }),
  );
}

/** Module files under `dirs`, each once (by real path), sorted. */
export async function findModuleFiles(dirs: string[]): Promise<ModuleFile[]> {
  const found: string[] = [];
  for (const dir of dirs) await walk(dir, 0, found);
  const seen = new Set<string>();
  const modules: ModuleFile[] = [];
  for (const file of found.sort()) {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const module = parseModuleFile(file);
    if (module) modules.push(module);
  }
  return modules;
}

/** Larger files are not read for untagged-module facts. */
const MAX_READ = 256 * 1024 * 1024;

interface UntaggedFacts {
  isModule: boolean;
  /** `3.12` when it links libpython3.12. */
  libpython: string | undefined;
}

/** Symbol and library names live as plain strings in the binary's dynamic string table. */
async function untaggedFacts(module: ModuleFile): Promise<UntaggedFacts> {
  let data: Buffer;
  try {
    const stat = await fs.stat(module.file);
    if (stat.size > MAX_READ) return { isModule: false, libpython: undefined };
    data = await fs.readFile(module.file);
  } catch {
    return { isModule: false, libpython: undefined };
  }
  const isModule = data.includes(Buffer.from(`PyInit_${module.name}\0`));
  const text = data.toString('latin1');
  const linked = /(?:lib)?python(\d)\.?(\d+)[a-z]*\.(?:so|dylib|dll)/.exec(text);
  return { isModule, libpython: linked ? `${linked[1]}.${linked[2]}` : undefined };
}

/** The build directory a module file sits in, if any. */
async function buildDirOf(
  file: string,
  context: CheckContext,
  dirs: BuildDir[],
): Promise<BuildDir | undefined> {
  const inside = dirs.find((dir) => file.startsWith(`${dir.dir}${path.sep}`));
  if (inside) return inside;
  let current = path.dirname(file);
  while (current.startsWith(`${context.root}${path.sep}`)) {
    const cache = await readCMakeCache(current);
    if (cache) return { dir: current, shown: context.display(current), cache, temporary: false };
    current = path.dirname(current);
  }
  return undefined;
}

function hintFor(dir: BuildDir | undefined): string {
  if (!dir) return 'Python3_EXECUTABLE';
  if (dir.cache.has('PYTHON_EXECUTABLE') && !dir.cache.has('Python3_EXECUTABLE'))
    return 'PYTHON_EXECUTABLE';
  if (dir.cache.has('Python_EXECUTABLE') && !dir.cache.has('Python3_EXECUTABLE'))
    return 'Python_EXECUTABLE';
  return 'Python3_EXECUTABLE';
}

async function mismatchFix(
  context: CheckContext,
  module: ModuleFile,
  dirs: BuildDir[],
): Promise<string> {
  const dir = await buildDirOf(module.file, context, dirs);
  const variable = hintFor(dir);
  if (dir && !dir.temporary) {
    return `rebuild it for the venv's interpreter: ${reconfigureCommand(context, dir, variable)} && cmake --build ${dir.shown}`;
  }
  return `rebuild it for the venv's interpreter: cmake -S . -B <build dir> -D${variable}=${context.python} && cmake --build <build dir>`;
}

function venvLabel(abi: VenvAbi): string {
  const name = abi.implementation === 'cpython' ? 'CPython' : abi.implementation;
  return `${name} ${abi.version} (${abi.extSuffix})`;
}

export async function moduleChecks(
  context: CheckContext,
  modules: ModuleFile[],
  abi: VenvAbi,
  dirs: BuildDir[],
): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  const tagged = new Set(abi.suffixes.filter((suffix) => suffix.split('.').length > 2));
  for (const module of modules) {
    const shown = context.display(module.file);
    const id = `abi:${shown}`;
    if (module.tag !== undefined) {
      const suffix = `.${module.tag}${module.extension}`;
      if (tagged.has(suffix)) {
        checks.push(
          passed(
            'abi',
            id,
            shown,
            `${module.name}: built for ${describeTag(module.tag)}, the venv's ABI`,
          ),
        );
        continue;
      }
      checks.push(
        failed(
          'abi',
          id,
          shown,
          `${module.name}: built for ${describeTag(module.tag)}; the venv runs ${venvLabel(abi)}`,
          await mismatchFix(context, module, dirs),
        ),
      );
      continue;
    }
    const facts = await untaggedFacts(module);
    if (!facts.isModule) continue;
    if (facts.libpython !== undefined) {
      if (facts.libpython === abi.version) {
        checks.push(
          passed(
            'abi',
            id,
            shown,
            `${module.name}: untagged, links libpython${facts.libpython}, the venv's`,
          ),
        );
        continue;
      }
      checks.push(
        failed(
          'abi',
          id,
          shown,
          `${module.name}: untagged, links libpython${facts.libpython}; the venv runs ${venvLabel(abi)}`,
          await mismatchFix(context, module, dirs),
        ),
      );
      continue;
    }
    checks.push(
      makeCheck({
        id,
        kind: 'abi',
        target: shown,
        ok: true,
        warning: true,
        detail: `${module.name}: untagged (${path.basename(module.file)}): cannot tell which Python it was built for; name it with the venv's suffix ${abi.extSuffix} (pybind11_add_module and Python3_add_library(... WITH_SOABI) do)`,
      }),
    );
  }
  return checks;
}

export const abiTask: CheckTask = {
  kind: 'abi',
  label: 'native modules',
  async run(context: CheckContext): Promise<TaskOutcome> {
    const dirs = await context.buildDirs();
    const usable = dirs.filter((dir) => dir.error === undefined);
    const searched = [...context.config.paths, ...usable.map((dir) => dir.dir)];
    const shownDirs = [
      ...context.config.paths.map((dir) => context.display(dir)),
      ...usable.map((dir) => dir.shown),
    ];
    const modules = await findModuleFiles(searched);
    const none = () =>
      skipped(
        'abi',
        'abi',
        'extension modules',
        searched.length === 0
          ? 'nothing to search: no [tool.onevenv] paths and no build directory'
          : `no extension modules in ${shownDirs.join(', ')}`,
      );
    if (modules.length === 0) return { checks: [none()] };
    let abi: VenvAbi;
    try {
      abi = await queryVenvAbi(context.python, context.options.env);
    } catch (error) {
      return {
        checks: [
          failed(
            'abi',
            'abi',
            'extension modules',
            `the venv's interpreter cannot be asked for its ABI: ${(error as Error).message}`,
            'onevenv sync',
          ),
        ],
      };
    }
    const checks = await moduleChecks(context, modules, abi, dirs);
    return { checks: checks.length === 0 ? [none()] : checks };
  },
};
