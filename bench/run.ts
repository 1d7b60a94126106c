import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildCli, cleanEnv, createFixture, type Fixture, projectRoot, run } from './fixture.js';
import {
  type Contender,
  type ContenderResult,
  formatMarkdown,
  runScenario,
  type ScenarioResult,
} from './harness.js';
import { createScanRepo, GENERATOR_VERSION, type TreeStats } from './scan-tree.js';

/**
 * `npm run bench`: every scenario of the benchmark, each comparing onevenv with what a user
 * would otherwise run, alternately, on this machine. Writes bench/results.md and
 * bench/results.json (a run with --only or --quick writes to --out, default a temp dir).
 */

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean' },
    out: { type: 'string' },
    work: { type: 'string' },
    'max-load': { type: 'string' },
    'wait-minutes': { type: 'string' },
    'from-worktree': { type: 'boolean' },
  },
});

const ALL = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'] as const;
type Id = (typeof ALL)[number];
const only = new Set<string>(values.only ? values.only.split(',') : ALL);
const partial = only.size < ALL.length || values.quick === true;
const outDir =
  values.out ??
  (partial ? path.join(os.tmpdir(), 'onevenv-bench-results') : path.join(projectRoot, 'bench'));
const work = values.work ?? path.join(os.tmpdir(), 'onevenv-bench');
const maxLoad = Number(values['max-load'] ?? 'Infinity');
const waitMinutes = Number(values['wait-minutes'] ?? '0');

/** Counted runs (after a warm-up): fast commands get more, the slow peers the minimum. */
function runs(n: number): number {
  return values.quick ? Math.min(n, 2) : n;
}

function progress(text: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

function load(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

async function waitForQuietMachine(): Promise<void> {
  const deadline = Date.now() + waitMinutes * 60_000;
  while (os.loadavg()[0]! > maxLoad) {
    if (Date.now() > deadline) {
      throw new Error(`load average ${load()} stayed above ${maxLoad} for ${waitMinutes} min`);
    }
    progress(`load average ${load()} > ${maxLoad}: waiting`);
    await new Promise((resolve) => setTimeout(resolve, 30_000));
  }
}

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')[0]!;
  } catch {
    return 'not found';
  }
}

function machine(): Record<string, string> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    machine: `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    node: process.version,
    python: version('python3', ['--version']),
    uv: version('uv', ['--version']),
    pip: version('python3', ['-m', 'pip', '--version']).replace(/ from .*\(/, ' (python '),
    git: version('git', ['--version']),
    onevenv: JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).version,
  };
}

function removeVenv(checkout: string): () => void {
  return () => rmSync(path.join(checkout, 'python/.venv'), { recursive: true, force: true });
}

/** onevenv's cache (the import proofs) lives in the work directory, so a run can clear it. */
const onevenvCache = path.join(work, 'onevenv-cache');
const env = { ...cleanEnv(), ONEVENV_CACHE_DIR: onevenvCache };
const NOOP_SYNC = /is up to date/;
const UV_NOOP = /^(?![\s\S]*(Installed|Uninstalled) )[\s\S]*Checked \d+ packages/;
const peers = path.join(projectRoot, 'bench/peers');
const ticketScript = path.join(peers, 'ticket-setup.sh');

/** Everything onevenv's import check imports for the example (tool.onevenv.imports defaults). */
const IMPORTS =
  'import tree_sitter, tree_sitter_cpp, fastmcp, pybind11, httpx, pytest, _pytest, py, replay';

function onevenv(
  f: Fixture,
  name: string,
  args: string[],
  extra: Partial<Contender> = {},
): Contender {
  return { name, command: [process.execPath, f.cli, ...args], cwd: f.origin, env, ...extra };
}

function p1(f: Fixture): ScenarioResult {
  progress('P1: preparing the uv and ticket-style checkouts');
  run('uv', ['venv', '-q', '--python', f.basePython, 'python/.venv'], f.uvCheckout);
  run(
    'uv',
    [
      'pip',
      'sync',
      '-q',
      '--require-hashes',
      '--python',
      'python/.venv/bin/python',
      'python/requirements.txt',
    ],
    f.uvCheckout,
  );
  run('bash', [ticketScript], f.ticketCheckout);
  return runScenario({
    id: 'P1',
    title: 'no-op sync (the environment is already up to date)',
    runs: runs(15),
    warmup: 2,
    contenders: [
      onevenv(f, 'onevenv sync', ['sync'], { expect: NOOP_SYNC }),
      { name: 'node -e 0', command: [process.execPath, '-e', '0'], cwd: f.origin, env },
      {
        name: 'uv pip sync --require-hashes',
        command: [
          'uv',
          'pip',
          'sync',
          '--require-hashes',
          '--python',
          'python/.venv/bin/python',
          'python/requirements.txt',
        ],
        cwd: f.uvCheckout,
        env,
        expect: UV_NOOP,
      },
      {
        name: 'pip install --require-hashes -r',
        command: [
          'python/.venv/bin/python',
          '-m',
          'pip',
          'install',
          '--require-hashes',
          '-r',
          'python/requirements.txt',
        ],
        cwd: f.ticketCheckout,
        env,
      },
      {
        name: 'ticket-style setup.sh re-run',
        command: ['bash', ticketScript],
        cwd: f.ticketCheckout,
        env,
      },
    ],
    targets: [
      { of: 'onevenv sync', to: 'node -e 0', max: 1.5 },
      { of: 'onevenv sync', to: 'uv pip sync --require-hashes', max: 3 },
      { of: 'onevenv sync', to: 'pip install --require-hashes -r' },
      { of: 'onevenv sync', to: 'ticket-style setup.sh re-run', min: 20 },
    ],
    notes: [
      'Each tool has its own checkout of the same commit and its own python/.venv, built from the same',
      "lock: `uv pip sync` removes what the lock does not list, so in onevenv's venv it would uninstall",
      "the editable `replay` package on every run (`--require-hashes` does not let the file name it); uv's",
      'venv holds exactly the lock, which makes its sync a true no-op. pip runs in the ticket-style venv',
      "(which has pip; onevenv's uv-built venv has none).",
    ],
    onRound: (round, warm) => progress(`P1 ${warm ? 'warm-up' : 'round'} ${round}`),
  });
}

const IMPORT_CHECK = 'the import check alone (python -c, no bytecode yet)';

function contender(result: ScenarioResult, name: string): ContenderResult {
  return result.contenders.find((c) => c.name === name)!;
}

function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

const FIRST_BUILD = 'onevenv sync, first build of these inputs (no import proof yet)';
const BARE_UV = 'uv venv && uv pip sync';
const BARE_UV_OFFLINE = 'uv venv && uv pip sync --offline';
const SAME_JOB = 'uv, the same job as onevenv sync';

function explainP2(result: ScenarioResult): void {
  const [bareRatio] = result.ratios;
  if (!bareRatio) return;
  const onevenvSync = contender(result, 'onevenv sync').median;
  const bare = contender(result, BARE_UV).median;
  const offline = contender(result, BARE_UV_OFFLINE).median;
  const first = contender(result, FIRST_BUILD).median;
  const same = contender(result, SAME_JOB).median;
  const imports = contender(result, IMPORT_CHECK).median;
  result.notes.push(
    '',
    bareRatio.met
      ? `onevenv sync rebuilds the venv in ${seconds(onevenvSync)}, ${bareRatio.ratio.toFixed(2)}x bare uv (${seconds(bare)}), with the editable \`replay\` package and the import check's result:`
      : `**Target missed: onevenv sync takes ${bareRatio.ratio.toFixed(2)}x as long as bare uv (target ≤ 1.15x).**`,
    `- uv installs offline first (bare uv with \`--offline\`: ${seconds(offline)}): every artifact is pinned by`,
    "  hash, so nothing needs asking the index while uv's cache has them; bare uv revalidates each",
    '  cached index page.',
    '- The import check is not repeated for inputs it passed for (the lock, the interpreter, the',
    "  groups, the editable projects' files): this is the venv deleted and built again. The first",
    `  build of new inputs imports every group (the import check alone: ${seconds(imports)}, the first`,
    `  import of fastmcp, pytest and tree-sitter, bytecode compilation included) and takes ${seconds(first)},`,
    `  ${(first / same).toFixed(2)}x uv doing the same job (${seconds(same)}).`,
  );
}

function p2(f: Fixture): ScenarioResult {
  const sameJob = [
    `uv venv -q --python ${f.basePython} python/.venv`,
    'uv pip sync -q --require-hashes --python python/.venv/bin/python python/requirements.txt',
    `uv pip install -q --no-deps --python python/.venv/bin/python -r ${path.join(f.uvCheckout, '..', 'editables.txt')}`,
    `cd /tmp && ${f.uvCheckout}/python/.venv/bin/python -c '${IMPORTS}'`,
  ].join(' && ');
  const result = runScenario({
    id: 'P2',
    title: 'cold sync (no venv), warm package cache',
    runs: runs(7),
    warmup: 1,
    contenders: [
      onevenv(f, 'onevenv sync', ['sync'], {
        prepare: removeVenv(f.origin),
        expect: /python\/\.venv ready/,
      }),
      {
        name: BARE_UV,
        command: [
          'sh',
          '-c',
          `uv venv -q --python ${f.basePython} python/.venv && uv pip sync -q --require-hashes --python python/.venv/bin/python python/requirements.txt`,
        ],
        cwd: f.uvCheckout,
        env,
        prepare: removeVenv(f.uvCheckout),
      },
      {
        name: BARE_UV_OFFLINE,
        command: [
          'sh',
          '-c',
          `uv venv -q --python ${f.basePython} python/.venv && uv pip sync -q --offline --require-hashes --python python/.venv/bin/python python/requirements.txt`,
        ],
        cwd: f.uvCheckout,
        env,
        prepare: removeVenv(f.uvCheckout),
      },
      onevenv(f, FIRST_BUILD, ['sync'], {
        prepare: () => {
          removeVenv(f.origin)();
          rmSync(onevenvCache, { recursive: true, force: true });
        },
        expect: /python\/\.venv ready/,
      }),
      {
        name: SAME_JOB,
        command: ['sh', '-c', sameJob],
        cwd: f.uvCheckout,
        env,
        prepare: removeVenv(f.uvCheckout),
      },
      {
        name: 'ticket-style setup.sh from scratch',
        command: ['bash', ticketScript],
        cwd: f.ticketCheckout,
        env,
        prepare: removeVenv(f.ticketCheckout),
      },
      {
        // As in a venv uv has just built: no bytecode yet.
        name: IMPORT_CHECK,
        command: [path.join(f.uvCheckout, 'python/.venv/bin/python'), '-c', IMPORTS],
        cwd: os.tmpdir(),
        env,
        prepare: () =>
          run(
            'find',
            [
              path.join(f.uvCheckout, 'python/.venv'),
              '-name',
              '__pycache__',
              '-prune',
              '-exec',
              'rm',
              '-rf',
              '{}',
              '+',
            ],
            f.uvCheckout,
          ),
      },
    ],
    targets: [
      { of: 'onevenv sync', to: BARE_UV, max: 1.15 },
      { of: 'onevenv sync', to: 'ticket-style setup.sh from scratch', min: 5 },
      { of: FIRST_BUILD, to: SAME_JOB },
      { of: FIRST_BUILD, to: 'ticket-style setup.sh from scratch' },
    ],
    notes: [
      '"onevenv sync" builds the venv again for inputs whose imports passed before (a deleted venv,',
      'a rebuild); "first build" also clears onevenv\'s cache, so it imports every group. "uv, the same',
      'job" is what the first build does with uv, written out: the venv, the lock, the editable',
      '`replay` package (from a requirements file, so uv reuses its build), and one Python process',
      "importing every group's modules.",
    ],
    onRound: (round, warm) => progress(`P2 ${warm ? 'warm-up' : 'round'} ${round}`),
  });
  explainP2(result);
  bareUvMedian = contender(result, BARE_UV).median;
  return result;
}

function removeWorktree(f: Fixture): () => void {
  return () => {
    if (existsSync(f.worktree)) {
      run('git', ['worktree', 'remove', '--force', f.worktree], f.origin);
    }
    run('git', ['worktree', 'prune'], f.origin);
  };
}

const EDITABLE_BUILD = 'uv building the editable replay package (--reinstall-package)';

function explainP3(result: ScenarioResult, bareUv: number): void {
  const [ratio] = result.ratios;
  if (!ratio || ratio.met) return;
  const worktree = contender(result, 'git worktree add + onevenv sync');
  const cold = contender(result, 'onevenv sync (P2: no venv)');
  const build = contender(result, EDITABLE_BUILD);
  result.notes.push(
    '',
    `**Target missed: a new worktree takes ${ratio.ratio.toFixed(2)}x a cold sync (target ≤ 1.2x).**`,
    "A new worktree is a new path, and uv keys an editable package's build on its path: the first",
    'sync there has to build `replay` with its backend (setuptools: a build environment and its',
    `hooks), which P2's checkout takes from uv's cache. That build alone takes ${seconds(build.median)}`,
    `(${seconds(build.medianCpu)} CPU). onevenv starts it while the lock installs, but the lock installs`,
    `sooner${Number.isNaN(bareUv) ? '' : ` (bare uv in P2: ${seconds(bareUv)})`}, so most of the build still adds to the worktree's time: it`,
    `takes ${seconds(worktree.median - cold.median)} more than a cold sync (CPU ${seconds(worktree.medianCpu)} vs ${seconds(cold.medianCpu)}). The import check`,
    "is not what costs: the worktree's files are the same commit's, so sync takes the import proof",
    "of P2's checkout. What remains is the build backend's own time, once per new path: closing the",
    'gap would take an editable install without the backend (a .pth written by onevenv), which would',
    "skip what the backend does beyond it (entry points, generated files); we keep the backend's.",
  );
}

/** P2's bare uv median, for P3's explanation (NaN when P2 did not run). */
let bareUvMedian = Number.NaN;

function p3(f: Fixture): ScenarioResult {
  const result = runScenario({
    id: 'P3',
    title: 'new worktree ready (git worktree add + onevenv sync)',
    runs: runs(7),
    warmup: 1,
    contenders: [
      {
        name: 'git worktree add + onevenv sync',
        command: ['sh', path.join(peers, 'new-worktree.sh'), f.origin, f.worktree, f.cli],
        cwd: f.origin,
        env,
        prepare: removeWorktree(f),
        expect: /python\/\.venv ready/,
      },
      onevenv(f, 'onevenv sync (P2: no venv)', ['sync'], {
        prepare: removeVenv(f.origin),
        expect: /python\/\.venv ready/,
      }),
      {
        name: EDITABLE_BUILD,
        command: [
          'uv',
          'pip',
          'install',
          '--no-deps',
          '--python',
          'python/.venv/bin/python',
          '--reinstall-package',
          'replay',
          '-r',
          path.join(f.uvCheckout, '..', 'editables.txt'),
        ],
        cwd: f.uvCheckout,
        env,
      },
    ],
    targets: [
      { of: 'git worktree add + onevenv sync', to: 'onevenv sync (P2: no venv)', max: 1.2 },
    ],
    onRound: (round, warm) => progress(`P3 ${warm ? 'warm-up' : 'round'} ${round}`),
  });
  explainP3(result, bareUvMedian);
  return result;
}

/**
 * What scan looks for, as a grep user would write it: interpreter names in their usual
 * spellings (python3, Python3_EXECUTABLE, PYTHONPATH, find_package(Python3 …)), venvs and
 * their activation, pip installs, the binding generators CMake asks Python for, and the
 * import lines of Python files (scan reports their third-party imports).
 */
const GREP_PATTERN =
  'python|Python|PYTHON|venv|activate|pip3? install|pybind11|nanobind|^(import|from) ';
/** The cheapest grep that still finds every planted reference (not the imports). */
const GREP_FIXED = [
  'python',
  'Python',
  'PYTHON',
  'venv',
  'activate',
  'pip install',
  'pybind11',
  'nanobind',
];

function grep(cwd: string): Contender {
  return {
    name: 'git grep -E',
    command: ['git', 'grep', '-n', '-I', '-E', '-e', GREP_PATTERN],
    cwd,
    env,
  };
}

function grepFixed(cwd: string): Contender {
  return {
    name: 'git grep -F (no imports)',
    command: ['git', 'grep', '-n', '-I', '-F', ...GREP_FIXED.flatMap((p) => ['-e', p])],
    cwd,
    env,
  };
}

const SCAN_SEED = 20260216;
const SCAN_FILES = 100_000;

async function scanTree(): Promise<{ dir: string; stats: TreeStats }> {
  const dir = path.join(
    os.tmpdir(),
    `onevenv-bench-scan-v${GENERATOR_VERSION}-${SCAN_SEED}-${SCAN_FILES}`,
  );
  const statsFile = `${dir}.json`;
  if (existsSync(statsFile)) return { dir, stats: JSON.parse(readFileSync(statsFile, 'utf8')) };
  progress(`P4: generating ${SCAN_FILES} files into ${dir}`);
  await fs.rm(dir, { recursive: true, force: true });
  const stats = await createScanRepo(dir, { seed: SCAN_SEED, files: SCAN_FILES });
  await fs.writeFile(statsFile, `${JSON.stringify(stats)}\n`);
  return { dir, stats };
}

async function p4(f: Fixture): Promise<ScenarioResult[]> {
  const { dir, stats } = await scanTree();
  const scanJson = JSON.parse(run(process.execPath, [f.cli, 'scan', '--json'], dir)) as {
    references: unknown[];
  };
  const grepLines = (() => {
    try {
      return run(grep(dir).command[0]!, grep(dir).command.slice(1), dir).split('\n').length - 1;
    } catch {
      return 0;
    }
  })();
  const big = runScenario({
    id: 'P4',
    title: `scan of a generated ${stats.files.toLocaleString('en')}-file tree`,
    runs: runs(9),
    warmup: 1,
    contenders: [
      {
        name: 'onevenv scan --json',
        command: [process.execPath, f.cli, 'scan', '--json'],
        cwd: dir,
        env,
      },
      grep(dir),
      grepFixed(dir),
    ],
    targets: [
      { of: 'onevenv scan --json', to: 'git grep -E', max: 1.5 },
      { of: 'onevenv scan --json', to: 'git grep -F (no imports)' },
    ],
    notes: [
      `The tree (bench/scan-tree.ts, seed ${SCAN_SEED}): ${stats.files} files, ${(stats.bytes / 2 ** 20).toFixed(0)} MiB, committed to git;`,
      `by kind: ${Object.entries(stats.byKind)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ')}.`,
      `onevenv scan reports ${scanJson.references.length} references (and the third-party imports of the Python files);`,
      `\`git grep -n -I -E -e '${GREP_PATTERN}'\` prints ${grepLines} lines. Written case-insensitively`,
      '(`-i`, as the adapters match) or as one `-e` per pattern, git grep took 2-4x as long as this',
      'formulation on this tree; `-F` with fixed strings and no imports is the fastest grep found.',
    ],
    onRound: (round, warm) => progress(`P4 ${warm ? 'warm-up' : 'round'} ${round}`),
  });
  // The example as shipped (before adoption): the first commit, in its own worktree.
  const example = path.join(path.dirname(f.origin), 'example-as-shipped');
  if (!existsSync(example))
    run('git', ['worktree', 'add', '-q', '--detach', example, 'HEAD~1'], f.origin);
  const small = runScenario({
    id: 'P4b',
    title: 'scan of the bundled example (as shipped, before adoption)',
    runs: runs(21),
    warmup: 2,
    contenders: [
      {
        name: 'onevenv scan --json',
        command: [process.execPath, f.cli, 'scan', '--json'],
        cwd: example,
        env,
      },
      grep(example),
      { name: 'node -e 0', command: [process.execPath, '-e', '0'], cwd: example, env },
    ],
    targets: [
      { of: 'onevenv scan --json', to: 'git grep -E' },
      { of: 'onevenv scan --json', to: 'node -e 0' },
    ],
    onRound: (round, warm) => progress(`P4b ${warm ? 'warm-up' : 'round'} ${round}`),
  });
  return [big, small];
}

function explainP5(result: ScenarioResult, servers: string[]): void {
  const [ratio] = result.ratios;
  if (!ratio || ratio.met) return;
  const singles = servers.map((server) => contender(result, `${server} alone`));
  const slowest = Math.max(...singles.map((s) => s.median));
  const serversCpu = singles.reduce((sum, s) => sum + s.medianCpu, 0);
  const check = contender(result, 'onevenv check --only mcp');
  const cores = os.cpus().length;
  const bound = Math.max(slowest, serversCpu / cores);
  result.notes.push(
    '',
    `**Target missed: check takes ${ratio.ratio.toFixed(2)}x the slowest server's start-up (target ≤ 1.3x).**`,
    'check starts the servers at once, but each is CPU-bound while it starts (importing fastmcp and',
    `its dependencies): median CPU ${singles.map((s) => seconds(s.medianCpu)).join(', ')}; ${seconds(serversCpu)} in all. With ${cores} cores,`,
    `the three cannot all have started in less than ${seconds(bound)}, ${(bound / slowest).toFixed(2)}x the slowest start-up alone`,
    `(${seconds(slowest)}), before check's own start, configuration and MCP client: check's whole process`,
    `tree used ${seconds(check.medianCpu)} of CPU, ${seconds(Math.max(0, check.medianCpu - serversCpu))} of it outside the servers (node, the MCP SDK,`,
    'reading the configuration). The target is below what three such servers allow on this machine;',
    "with a core per server the bound is the slowest server plus check's own start.",
    'The profile-driven change (src/core/check/mcp-handshake.ts): a server that answered gets SIGTERM',
    "at once instead of the SDK's close (stdin closed, then a wait for its exit), whose shutdown cost",
    'each fastmcp server about 0.3 s of CPU while the others were still starting.',
  );
}

function p5(f: Fixture): ScenarioResult {
  const singles = f.mcpServers.map((server) => ({
    name: `${server} alone`,
    command: [f.basePython, path.join(peers, 'mcp-start.py'), f.origin, server],
    cwd: f.origin,
    env,
  }));
  const result = runScenario({
    id: 'P5',
    title: `check with ${f.mcpServers.length} MCP servers vs the slowest single server's start-up`,
    runs: runs(7),
    warmup: 1,
    contenders: [
      onevenv(f, 'onevenv check --only mcp', ['check', '--only', 'mcp'], {
        // Without a terminal, check prints one line per check.
        expect: new RegExp(`^(ok mcp [^\\n]*\\n){${f.mcpServers.length}}$`),
      }),
      ...singles,
    ],
    targets: [{ of: 'onevenv check --only mcp', to: singles.map((s) => s.name), max: 1.3 }],
    notes: [
      "A single server's start-up is measured with bench/peers/mcp-start.py: start it as .mcp.json says,",
      'send initialize and tools/list, send SIGTERM (as check ends a server that answered).',
    ],
    onRound: (round, warm) => progress(`P5 ${warm ? 'warm-up' : 'round'} ${round}`),
  });
  explainP5(result, f.mcpServers);
  return result;
}

function p6(f: Fixture): ScenarioResult {
  return runScenario({
    id: 'P6',
    title: 'generated python/setup.sh re-run with nothing to do',
    runs: runs(21),
    warmup: 2,
    contenders: [
      {
        name: 'sh python/setup.sh',
        command: ['sh', 'python/setup.sh'],
        cwd: f.origin,
        env,
        expect: NOOP_SYNC,
      },
      { name: 'python3 -c pass', command: ['python3', '-c', 'pass'], cwd: f.origin, env },
      {
        name: `${f.basePython} -c pass`,
        command: [f.basePython, '-c', 'pass'],
        cwd: f.origin,
        env,
      },
    ],
    targets: [
      { of: 'sh python/setup.sh', to: 'python3 -c pass' },
      { of: 'sh python/setup.sh', to: `${f.basePython} -c pass` },
    ],
    absolute: [{ name: 'sh python/setup.sh', maxSeconds: 1 }],
    notes: [
      `\`python3\` on PATH is ${version('sh', ['-c', 'command -v python3'])}; setup.sh starts it the same way.`,
    ],
    onRound: (round, warm) => progress(`P6 ${warm ? 'warm-up' : 'round'} ${round}`),
  });
}

async function main(): Promise<void> {
  await waitForQuietMachine();
  const info = machine();
  progress(`building the CLI into ${work}/cli`);
  const { cli, source } = await buildCli(path.join(work, 'cli'), {
    fromWorktree: values['from-worktree'] === true,
  });
  info.onevenv = `${info.onevenv} (${source})`;
  progress('adopting the bundled example (one lock against PyPI)');
  const f = await createFixture(path.join(work, 'fixture'), cli);
  await fs.writeFile(
    path.join(f.uvCheckout, '..', 'editables.txt'),
    `-e ${path.join(f.uvCheckout, 'replay')}\n`,
  );
  const results: ScenarioResult[] = [];
  const loads: Record<string, { before: string; after: string }> = {};
  const scenarios: Record<Id, () => Promise<ScenarioResult[]>> = {
    P1: async () => [p1(f)],
    P2: async () => [p2(f)],
    P3: async () => [p3(f)],
    P4: () => p4(f),
    P5: async () => [p5(f)],
    P6: async () => [p6(f)],
  };
  for (const id of ALL) {
    if (!only.has(id)) continue;
    await waitForQuietMachine();
    const before = load();
    for (const result of await scenarios[id]()) {
      results.push(result);
      loads[result.id] = { before, after: load() };
      result.notes.push('', `Load average (1, 5, 15 min) before: ${before}; after: ${load()}.`);
    }
    removeWorktree(f)();
  }
  info.fixture = `examples/telemetry-sim adopted by onevenv (${f.lockPackages} pinned entries in python/requirements.txt, universal lock), MCP servers: ${f.mcpServers.join(', ')}`;
  const markdown = formatMarkdown(results, info, [
    'Each scenario runs its commands alternately (A B A B …) after a warm-up; times are wall',
    "clock, CPU is user + system time of the command's whole process tree, peak RSS is its largest",
    'process (never below the ~14 MiB of the Python process that starts each command). The ratios',
    'of medians are the result: absolute times move with the load of this shared machine (the load',
    'average before and after each scenario is under it).',
    '',
    'onevenv runs from a private build of the commit above. Every command runs without',
    'VIRTUAL_ENV or PYTHONPATH and with PYTHONDONTWRITEBYTECODE unset (the session environment',
    "of this machine sets it; a developer's shell does not), so Python writes and reuses bytecode.",
  ]);
  await fs.mkdir(outDir, { recursive: true });
  await fs.writeFile(path.join(outDir, 'results.md'), markdown);
  await fs.writeFile(
    path.join(outDir, 'results.json'),
    `${JSON.stringify({ ...info, loads, scenarios: results }, null, 2)}\n`,
  );
  process.stdout.write(markdown);
  progress(`wrote ${path.join(outDir, 'results.md')} and results.json`);
}

await main();
