import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ScanJson } from '../scan/format.js';
import { judgeCriteria } from './criteria.js';
import { cliEntry, copyExample, EXAMPLE_NAME, exampleDir } from './example.js';
import type {
  AdoptFacts,
  BuildFacts,
  CheckEntry,
  CheckFacts,
  DemoFacts,
  DemoReport,
  DocsFacts,
  FileChange,
  LockFacts,
  ScanFacts,
  ServerFacts,
  StatusFacts,
  Toolchain,
} from './facts.js';
import { detail, formatSeconds, heading, step } from './narrate.js';
import { runStep, type StepRun } from './run-step.js';
import { serveOnce } from './server.js';
import { missingBuildTool } from './toolchain.js';

const MINUTE = 60_000;
const SETUP_SCRIPT = 'python/setup.sh';
const LOCK_FILE = 'python/requirements.txt';
const DECLARATION = 'python/pyproject.toml';
const README = 'python/README.md';
const START_SCRIPT = 'replay/start_server.sh';

/** Skip reasons `scan --check` forgives (model.ts CHECK_EXEMPT): prose and other hosts. */
const CHECK_EXEMPT = new Set(['documentation', 'external-interpreter']);

/**
 * The environment every step runs in: the user's, minus what would point Python
 * somewhere else (an active venv, PYTHONPATH), without colour (output is parsed), and
 * with a git identity for the demo's own commits.
 */
export function demoEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    NO_COLOR: '1',
    GIT_AUTHOR_NAME: 'onevenv demo',
    GIT_AUTHOR_EMAIL: 'demo@onevenv.invalid',
    GIT_COMMITTER_NAME: 'onevenv demo',
    GIT_COMMITTER_EMAIL: 'demo@onevenv.invalid',
  };
  for (const name of ['FORCE_COLOR', 'VIRTUAL_ENV', 'PYTHONPATH', 'PYTHONHOME', 'TRACE_DB']) {
    delete env[name];
  }
  return env;
}

interface Context {
  root: string;
  env: NodeJS.ProcessEnv;
}

function onevenv(context: Context, args: string[], timeoutMs: number): Promise<StepRun> {
  return runStep(process.execPath, [cliEntry(), ...args, '--no-color'], {
    cwd: context.root,
    env: context.env,
    shown: `onevenv ${args.join(' ')}`,
    timeoutMs,
    reasonFrom: 'stderr',
  });
}

async function git(context: Context, args: string[]): Promise<StepRun> {
  return runStep('git', ['-c', 'commit.gpgsign=false', ...args], {
    cwd: context.root,
    env: context.env,
    shown: `git ${args.join(' ')}`,
    timeoutMs: 2 * MINUTE,
  });
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ scan

async function scan(context: Context, args: string[]): Promise<ScanFacts> {
  const run = await onevenv(context, ['scan', ...args, '--json'], 5 * MINUTE);
  const json = parseJson<ScanJson>(run.stdout);
  const off = (json?.references ?? []).filter(
    (ref) => !ref.unified && !(ref.skipReason && CHECK_EXEMPT.has(ref.skipReason)),
  );
  return {
    outcome: run.outcome,
    reported: json !== undefined && (run.outcome.code === 0 || run.outcome.code === 1),
    environments: (json?.environments ?? []).map((env) => ({
      id: env.id,
      consumers: env.consumers.length,
    })),
    off: off.length,
    cmakeOff: off.filter((ref) => ref.adapter === 'cmake' || ref.adapter === 'cmake-presets')
      .length,
    venvsOnDisk: json?.venvsOnDisk ?? [],
  };
}

// ------------------------------------------------------------------ adopt

function parseChanges(numstat: string, nameStatus: string): FileChange[] {
  const statuses = new Map<string, FileChange['status']>();
  for (const line of nameStatus.split('\n')) {
    const [code, file] = line.split('\t');
    if (!code || !file) continue;
    statuses.set(
      file,
      code.startsWith('A') ? 'added' : code.startsWith('D') ? 'deleted' : 'modified',
    );
  }
  const changes: FileChange[] = [];
  for (const line of numstat.split('\n')) {
    const [added, removed, file] = line.split('\t');
    if (added === undefined || removed === undefined || !file) continue;
    changes.push({
      file,
      status: statuses.get(file) ?? 'modified',
      added: Number.parseInt(added, 10) || 0,
      removed: Number.parseInt(removed, 10) || 0,
    });
  }
  return changes;
}

async function adopt(context: Context): Promise<AdoptFacts> {
  const run = await onevenv(context, ['adopt', '--write'], 10 * MINUTE);
  await git(context, ['add', '-A']);
  const numstat = await git(context, ['diff', '--cached', '--numstat']);
  const names = await git(context, ['diff', '--cached', '--name-status']);
  const changes = parseChanges(numstat.stdout, names.stdout);
  const commit =
    changes.length > 0
      ? await git(context, [
          'commit',
          '-q',
          '-m',
          'Adopt onevenv: one Python environment, python/.venv',
        ])
      : undefined;
  const status = await git(context, [
    'status',
    '--porcelain',
    '--ignored',
    '--untracked-files=all',
  ]);
  // adopt reports a lock it could not write on stdout, after the diff.
  const reason = `${run.stdout}\n${run.stderr}`
    .split('\n')
    .reverse()
    .find((line) => /^(error\b|The lock was not written)/.test(line.trim()));
  return {
    outcome:
      reason && run.outcome.code !== 0 ? { ...run.outcome, lastLine: reason.trim() } : run.outcome,
    changes,
    committed: commit?.outcome.code === 0,
    leftovers: status.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.slice(3)),
  };
}

async function tracked(context: Context, file: string): Promise<boolean> {
  const run = await git(context, ['ls-files', '--error-unmatch', file]);
  return run.outcome.code === 0;
}

/** python/requirements.txt as pip reads it: backslash continuations joined, options and comments skipped. */
export function lockStats(
  text: string,
): Pick<LockFacts, 'requirements' | 'packages' | 'pinned' | 'hashed'> {
  const logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const names = new Set<string>();
  let requirements = 0;
  let pinned = 0;
  let hashed = 0;
  for (const line of logical) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('-')) continue;
    requirements++;
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(trimmed)?.[0];
    if (name) names.add(name.toLowerCase().replace(/[-_.]+/g, '-'));
    const spec = trimmed.split(/\s+--hash/)[0]!.split(';')[0]!;
    if (/^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*===?\s*[^\s,]+\s*$/.test(spec)) pinned++;
    if (/--hash=sha256:[0-9a-f]{64}/.test(trimmed)) hashed++;
  }
  return { requirements, packages: names.size, pinned, hashed };
}

async function lockFacts(context: Context): Promise<LockFacts> {
  const text = await readText(path.join(context.root, LOCK_FILE));
  return {
    exists: text !== undefined,
    ...(text === undefined
      ? { requirements: 0, packages: 0, pinned: 0, hashed: 0 }
      : lockStats(text)),
    tracked: {
      lock: await tracked(context, LOCK_FILE),
      declaration: await tracked(context, DECLARATION),
    },
  };
}

/** Which of the three set-up scenarios a README's headings (or, failing that, its text) cover. */
export function docCoverage(text: string): DocsFacts['covers'] {
  const headings = text
    .split(/\r?\n/)
    .filter((line) => /^#{1,6}\s/.test(line))
    .join('\n');
  const covers = (pattern: RegExp) => pattern.test(headings) || pattern.test(text);
  return {
    cleanClone: covers(/clean (clone|checkout)|fresh clone|git clone/i),
    worktree: covers(/worktree/i),
    ci: covers(/\bCI\b|continuous integration/),
  };
}

async function docsFacts(context: Context): Promise<DocsFacts> {
  const text = await readText(path.join(context.root, README));
  let pointer: string | undefined;
  for (const doc of ['CLAUDE.md', 'AGENTS.md', 'README.md', 'CONTRIBUTING.md']) {
    if ((await readText(path.join(context.root, doc)))?.includes(README)) {
      pointer = doc;
      break;
    }
  }
  return {
    exists: text !== undefined,
    tracked: await tracked(context, README),
    covers:
      text === undefined ? { cleanClone: false, worktree: false, ci: false } : docCoverage(text),
    pointer,
  };
}

// ------------------------------------------------------------------ setup, build, check

async function status(context: Context): Promise<StatusFacts | undefined> {
  const run = await onevenv(context, ['status', '--json'], 2 * MINUTE);
  const json = parseJson<{
    state: string;
    pythonVersion: string | null;
    packages: number | null;
    installer: string | null;
    imports: {
      ok: boolean;
      failed: Array<{ group: string; module: string; error: string }>;
    } | null;
    lock?: { state: string };
  }>(run.stdout);
  if (!json) return undefined;
  return {
    state: json.state,
    pythonVersion: json.pythonVersion ?? null,
    packages: json.packages ?? null,
    installer: json.installer ?? null,
    importsOk: json.imports ? json.imports.ok : null,
    importFailures: (json.imports?.failed ?? []).map(
      (f) => `group ${f.group}: import ${f.module} failed: ${f.error}`,
    ),
    lockState: json.lock?.state ?? null,
  };
}

/** What the example's Python targets print: `trace-symbols: 9 symbols`. */
function targetLines(text: string): string[] {
  return text.split('\n').filter((line) => /^[a-z]+(?:-[a-z]+)+: \S/.test(line));
}

async function build(context: Context): Promise<BuildFacts> {
  const step = (args: string[], timeoutMs: number) =>
    runStep('cmake', args, {
      cwd: context.root,
      env: context.env,
      shown: `cmake ${args.join(' ')}`,
      timeoutMs,
    });
  const configure = await step(['--preset', 'debug'], 10 * MINUTE);
  if (configure.outcome.code !== 0) {
    return { configure: configure.outcome, build: undefined, targetLines: [] };
  }
  const built = await step(['--build', '--preset', 'debug-all'], 15 * MINUTE);
  return {
    configure: configure.outcome,
    build: built.outcome,
    targetLines: targetLines(built.stdout),
  };
}

async function check(context: Context): Promise<CheckFacts> {
  const run = await onevenv(context, ['check', '--json'], 10 * MINUTE);
  const json = parseJson<{ ok: boolean; checks: CheckEntry[] }>(run.stdout);
  return { outcome: run.outcome, checks: Array.isArray(json?.checks) ? json.checks : undefined };
}

// ------------------------------------------------------------------ the story

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function narrateScan(facts: ScanFacts): void {
  if (!facts.reported) {
    step('scan', false, `onevenv scan exited ${facts.outcome.code}: ${facts.outcome.lastLine}`);
    return;
  }
  step(
    'scan',
    true,
    `${plural(facts.environments.length, 'Python environment')} in use, ${plural(facts.off, 'reference')} off python/.venv`,
  );
  const width = Math.max(0, ...facts.environments.map((env) => env.id.length));
  for (const env of facts.environments) {
    detail(`${env.id.padEnd(width)}  ${plural(env.consumers, 'consumer')}`);
  }
}

function narrateAdopt(facts: AdoptFacts, after: ScanFacts): void {
  const added = facts.changes.filter((c) => c.status === 'added').length;
  const changed = facts.changes.length - added;
  const plus = facts.changes.reduce((sum, c) => sum + c.added, 0);
  const minus = facts.changes.reduce((sum, c) => sum + c.removed, 0);
  const ok = facts.outcome.code === 0;
  step(
    'adopt',
    ok,
    ok
      ? `onevenv adopt --write: ${added} files created, ${changed} changed (+${plus} −${minus})${facts.committed ? ', committed' : ''}`
      : `onevenv adopt --write exited ${facts.outcome.code}: ${facts.outcome.lastLine}`,
  );
  const width = Math.max(0, ...facts.changes.map((c) => c.file.length));
  for (const change of facts.changes) {
    const sign = change.status === 'added' ? '+' : change.status === 'deleted' ? '-' : '~';
    detail(`${sign} ${change.file.padEnd(width)}  +${change.added} −${change.removed}`);
  }
  detail(
    !after.reported
      ? `onevenv scan --check gave no report (exit ${after.outcome.code}): ${after.outcome.lastLine}`
      : after.outcome.code === 0
        ? 'onevenv scan --check: every consumer is on python/.venv'
        : `onevenv scan --check: ${plural(after.off, 'reference')} still off python/.venv`,
  );
}

function narrateSetup(outcome: StepRun['outcome'], facts: StatusFacts | undefined): void {
  if (outcome.code !== 0) {
    step('setup', false, `${SETUP_SCRIPT} exited ${outcome.code}: ${outcome.lastLine}`);
    return;
  }
  step(
    'setup',
    facts?.state === 'ready' && facts.importsOk !== false,
    facts
      ? `${SETUP_SCRIPT}: python/.venv ${facts.state} in ${formatSeconds(outcome.seconds)} (Python ${facts.pythonVersion}, ${facts.packages} packages, ${facts.installer})`
      : `${SETUP_SCRIPT} exited 0 in ${formatSeconds(outcome.seconds)}; onevenv status gave no report`,
  );
  for (const failure of facts?.importFailures ?? []) detail(failure);
}

function narrateBuild(facts: BuildFacts): void {
  const last = facts.build ?? facts.configure;
  const ok = facts.configure?.code === 0 && facts.build?.code === 0;
  const times = [facts.configure, facts.build]
    .filter((o) => o !== undefined)
    .map((o) => `${o.command} ${formatSeconds(o.seconds)}`)
    .join(', ');
  step('build', ok, ok ? times : `${last?.command} exited ${last?.code}: ${last?.lastLine}`);
  for (const line of facts.targetLines) detail(line);
}

function narrateCheck(facts: CheckFacts): void {
  if (!facts.checks) {
    step(
      'check',
      false,
      `onevenv check gave no report (exit ${facts.outcome.code}): ${facts.outcome.lastLine}`,
    );
    return;
  }
  const kinds = new Map<string, { pass: number; total: number }>();
  for (const entry of facts.checks) {
    const count = kinds.get(entry.kind) ?? { pass: 0, total: 0 };
    count.total++;
    if (entry.ok && !entry.skipped) count.pass++;
    kinds.set(entry.kind, count);
  }
  const summary = [...kinds].map(([kind, c]) => `${kind} ${c.pass}/${c.total}`).join(', ');
  step('check', facts.outcome.code === 0, `onevenv check: ${summary}`);
  for (const entry of facts.checks) {
    if (!entry.ok || entry.skipped || entry.kind === 'mcp' || entry.kind === 'abi') {
      const mark = !entry.ok ? '✗' : entry.skipped ? '–' : '✓';
      detail(`${mark} ${entry.kind} ${entry.target}: ${entry.detail.split('\n')[0]}`);
    }
  }
}

function narrateServer(facts: ServerFacts): void {
  const ok =
    !facts.exitedEarly &&
    facts.exchanges.length === 2 &&
    facts.exchanges.every((e) => e.status === 200);
  step(
    'replay',
    ok && facts.stopped,
    facts.exitedEarly
      ? `${START_SCRIPT} exited ${facts.exitedEarly.code}: ${facts.exitedEarly.lastLine}`
      : `${START_SCRIPT} on 127.0.0.1:${facts.port}`,
  );
  for (const e of facts.exchanges) {
    detail(`${e.request} → ${e.error ? e.error : `${e.status} ${e.body.slice(0, 120)}`}`);
  }
  detail(facts.stopped ? 'stopped: no process of the server is left' : 'the server did not stop');
}

export interface DemoRun {
  report: DemoReport;
  seconds: number;
}

/** Copies the example into `root` (empty), then runs and narrates every step. */
export async function runDemo(root: string, tools: Toolchain): Promise<DemoRun> {
  const started = performance.now();
  const context: Context = { root, env: demoEnv() };
  const facts: DemoFacts = {
    tools,
    notRun: {},
    scanBefore: undefined,
    adopt: undefined,
    scanAfter: undefined,
    setup: undefined,
    build: undefined,
    check: undefined,
    lock: undefined,
    docs: undefined,
    server: undefined,
  };

  heading(`onevenv demo: the seed ticket's repository (examples/${EXAMPLE_NAME}), end to end`);
  const files = await copyExample(exampleDir(), root);
  await git(context, ['-c', 'init.defaultBranch=main', 'init', '-q']);
  await git(context, ['add', '-A']);
  const initial = await git(context, ['commit', '-q', '-m', `${EXAMPLE_NAME}: before onevenv`]);
  step(
    'copy',
    initial.outcome.code === 0,
    initial.outcome.code === 0
      ? `${files.length} files → ${root} (git init, one commit)`
      : `git commit failed: ${initial.outcome.lastLine}`,
  );

  facts.scanBefore = await scan(context, []);
  narrateScan(facts.scanBefore);

  facts.adopt = await adopt(context);
  facts.scanAfter = await scan(context, ['--check']);
  narrateAdopt(facts.adopt, facts.scanAfter);
  facts.lock = await lockFacts(context);
  facts.docs = await docsFacts(context);

  const setupPath = path.join(root, SETUP_SCRIPT);
  const hasSetup = await fs.stat(setupPath).then(
    () => true,
    () => false,
  );
  if (!hasSetup) {
    facts.notRun.setup = `onevenv adopt did not write ${SETUP_SCRIPT} (${facts.adopt.outcome.lastLine || `exit ${facts.adopt.outcome.code}`})`;
    step('setup', 'skipped', facts.notRun.setup);
  } else {
    const setup = await runStep(setupPath, [], {
      cwd: root,
      env: context.env,
      shown: SETUP_SCRIPT,
      timeoutMs: 20 * MINUTE,
    });
    facts.setup = { outcome: setup.outcome, status: await status(context) };
    narrateSetup(setup.outcome, facts.setup.status);
  }

  const missing = missingBuildTool(tools);
  if (missing) {
    facts.notRun.build = missing;
    step('build', 'skipped', missing);
  } else {
    facts.build = await build(context);
    narrateBuild(facts.build);
  }

  if (hasSetup) {
    facts.check = await check(context);
    narrateCheck(facts.check);
  } else {
    facts.notRun.check = facts.notRun.setup;
    step('check', 'skipped', `no venv to check: ${facts.notRun.setup}`);
  }

  const built = facts.build?.build?.code === 0;
  const setUp = facts.setup?.outcome.code === 0;
  if (!built || !setUp) {
    facts.notRun.server = !setUp
      ? `it needs python/.venv, and ${SETUP_SCRIPT} did not succeed`
      : `it needs msd_reader from the C++ build, which ${facts.notRun.build ? `was not attempted: ${facts.notRun.build}` : 'failed'}`;
    step('replay', 'skipped', `${START_SCRIPT} not started: ${facts.notRun.server}`);
  } else {
    facts.server = await serveOnce(root, START_SCRIPT, { env: context.env });
    narrateServer(facts.server);
  }

  const criteria = judgeCriteria(facts);
  return {
    report: { ok: criteria.every((row) => row.ok), criteria, dir: root },
    seconds: (performance.now() - started) / 1000,
  };
}
