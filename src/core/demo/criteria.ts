import type {
  CheckEntry,
  CommandOutcome,
  Criterion,
  DemoFacts,
  HttpExchange,
  StepName,
} from './facts.js';

/**
 * The seed ticket's acceptance criteria, judged from what the demo saw. Pure: facts in,
 * one row per criterion out, each with the one-line reason a person would give.
 */

export const CRITERIA: ReadonlyArray<{ id: string; title: string }> = [
  { id: 'AC1', title: 'A single command sets up all Python environments from a clean clone' },
  {
    id: 'AC2',
    title: '`cmake --build --preset debug-all` succeeds after running the setup command',
  },
  { id: 'AC3', title: 'MCP servers in `.mcp.json` start successfully after setup' },
  { id: 'AC4', title: 'All CMake Python targets use a consistent interpreter' },
  { id: 'AC5', title: 'Requirements are pinned in version-controlled files' },
  {
    id: 'AC6',
    title: 'Setup documentation exists and covers clean clone, worktree, and CI scenarios',
  },
  {
    id: 'AC7',
    title: '`replay/start_server.sh` works after setup (with msd_reader from C++ build)',
  },
];

export const HEALTH_EXPECTED = { status: 'ok', reader: 'msd_reader' };
export const SUMMARY_REQUEST = { text: '0,10.0,4.0\n1000,11.0,6.0\n' };
export const SUMMARY_EXPECTED = { records: 2, mean_speed_mps: 5.0 };

type Verdict = [ok: boolean, detail: string];

function notRun(facts: DemoFacts, step: StepName, what: string): Verdict {
  return [false, `${what} did not run: ${facts.notRun[step] ?? 'an earlier step failed'}`];
}

function seconds(value: number): string {
  return `${value.toFixed(1)}s`;
}

function failure(outcome: CommandOutcome): string {
  const how = outcome.code === null ? 'was stopped' : `exited ${outcome.code}`;
  return `${outcome.command} ${how}${outcome.lastLine ? `: ${outcome.lastLine}` : ''}`;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '') ?? '';
}

/** The check entries of one kind, or why there are none to look at. */
function checksOf(facts: DemoFacts, kind: string): CheckEntry[] | string {
  if (!facts.check) return notRun(facts, 'check', 'onevenv check')[1];
  if (!facts.check.checks) {
    return `onevenv check gave no report (${failure(facts.check.outcome)})`;
  }
  return facts.check.checks.filter((entry) => entry.kind === kind);
}

function failedCheck(entries: CheckEntry[]): string | undefined {
  const bad = entries.find((entry) => !entry.ok);
  if (!bad) return undefined;
  return `onevenv check: ${bad.target}: ${firstLine(bad.detail)}`;
}

/**
 * A failure `onevenv check` reported among the entries `select` picks. For criteria that
 * stand on their own evidence (files, the setup run), check can only add a failure; a
 * missing report is said in the detail (verifiedByCheck), not counted against them.
 */
function checkFailure(facts: DemoFacts, select: (entry: CheckEntry) => boolean) {
  const checks = facts.check?.checks;
  return checks ? failedCheck(checks.filter(select)) : undefined;
}

function verifiedByCheck(facts: DemoFacts): string {
  if (facts.check?.checks) return '';
  return facts.check
    ? ` (onevenv check gave no report: exit ${facts.check.outcome.code})`
    : ' (onevenv check did not run)';
}

function isReadme(entry: CheckEntry): boolean {
  return /readme/i.test(`${entry.id} ${entry.target}`);
}

function judgeSetup(facts: DemoFacts): Verdict {
  const setup = facts.setup;
  if (!setup) return notRun(facts, 'setup', 'python/setup.sh');
  if (facts.adopt && !facts.adopt.committed) {
    return [false, 'the adoption was not committed, so a clone would not carry it'];
  }
  if (facts.adopt && facts.adopt.leftovers.length > 0) {
    return [
      false,
      `the tree before python/setup.sh was not a clean clone's: ${facts.adopt.leftovers[0]} is untracked`,
    ];
  }
  if (setup.outcome.code !== 0) return [false, failure(setup.outcome)];
  const status = setup.status;
  if (!status) return [false, 'python/setup.sh exited 0, but onevenv status gave no report'];
  if (status.state !== 'ready') {
    return [false, `python/setup.sh exited 0, but python/.venv is ${status.state}`];
  }
  if (status.importsOk === false) {
    return [false, `python/setup.sh built python/.venv, but ${status.importFailures[0]}`];
  }
  const extra = checkFailure(
    facts,
    (entry) =>
      ['import', 'stray-venv', 'gitignore', 'worktree'].includes(entry.kind) ||
      (entry.kind === 'generated' && !isReadme(entry)),
  );
  if (extra) return [false, extra];
  return [
    true,
    `python/setup.sh built python/.venv in a clean tree in ${seconds(setup.outcome.seconds)}: ` +
      `Python ${status.pythonVersion}, ${status.packages} packages (${status.installer}), every group imports` +
      verifiedByCheck(facts),
  ];
}

function judgeBuild(facts: DemoFacts): Verdict {
  const build = facts.build;
  if (!build) return notRun(facts, 'build', 'the CMake build');
  if (!build.configure) return [false, 'cmake --preset debug did not run'];
  if (build.configure.code !== 0) return [false, failure(build.configure)];
  if (!build.build) return [false, 'cmake --build --preset debug-all did not run'];
  if (build.build.code !== 0) return [false, failure(build.build)];
  const targets = build.targetLines.map((line) => line.split(':')[0]);
  return [
    true,
    `configured and built in ${seconds(build.configure.seconds + build.build.seconds)}; ` +
      `Python targets ran: ${targets.length > 0 ? targets.join(', ') : 'none printed'}`,
  ];
}

/** `codebase (1 tool)` from target `codebase (.mcp.json)` and a detail that counts tools. */
function describeServer(entry: CheckEntry): string {
  const name = entry.target.replace(/ \([^)]*\)$/, '');
  const tools = /\b(\d+ tools?)\b/.exec(entry.detail)?.[1];
  return tools ? `${name} (${tools})` : `${name} (${firstLine(entry.detail)})`;
}

/** `msd_reader` from `build/debug/python/msd_reader.cpython-311-x86_64-linux-gnu.so`. */
function moduleName(target: string): string {
  return target.split('/').pop()!.split('.')[0]!;
}

function judgeMcp(facts: DemoFacts): Verdict {
  const servers = checksOf(facts, 'mcp');
  if (typeof servers === 'string') return [false, servers];
  if (servers.length === 0) return [false, 'onevenv check found no MCP server to start'];
  const bad = failedCheck(servers);
  if (bad) return [false, bad];
  const notStarted = servers.find((entry) => entry.skipped);
  if (notStarted) {
    return [false, `${notStarted.target} was not started: ${firstLine(notStarted.detail)}`];
  }
  return [
    true,
    `${servers.length} server${servers.length === 1 ? '' : 's'} answered initialize and tools/list: ` +
      servers.map(describeServer).join(', '),
  ];
}

function judgeCmake(facts: DemoFacts): Verdict {
  const after = facts.scanAfter;
  if (!after) return notRun(facts, 'scan', 'the scan after adopt');
  if (!after.reported)
    return [false, `onevenv scan --check gave no report (${failure(after.outcome)})`];
  if (facts.notRun.build) {
    return [false, `the build commands and the module ABI were not checked: ${facts.notRun.build}`];
  }
  if (after.cmakeOff > 0) {
    return [false, `${after.cmakeOff} CMake reference(s) still off python/.venv (onevenv scan)`];
  }
  const cmake = checksOf(facts, 'cmake');
  if (typeof cmake === 'string') return [false, cmake];
  const abi = checksOf(facts, 'abi');
  if (typeof abi === 'string') return [false, abi];
  if (cmake.length === 0) return [false, 'onevenv check reported no CMake Python target'];
  const bad = failedCheck(cmake) ?? failedCheck(abi);
  if (bad) return [false, bad];
  const ran = cmake.filter((entry) => !entry.skipped);
  if (ran.length === 0) {
    return [false, `the generated build commands were not checked: ${firstLine(cmake[0]!.detail)}`];
  }
  const modules = abi.filter((entry) => !entry.skipped);
  if (modules.length === 0) {
    return [false, 'no extension module was checked against the venv ABI (was it built?)'];
  }
  return [
    true,
    `scan finds every CMake reference on python/.venv; check: ${ran.length} CMake check${ran.length === 1 ? '' : 's'} pass, ` +
      modules.map((entry) => `${moduleName(entry.target)} is built for the venv's ABI`).join(', '),
  ];
}

function judgeLock(facts: DemoFacts): Verdict {
  const lock = facts.lock;
  if (!lock) return notRun(facts, 'adopt', 'onevenv adopt');
  if (!lock.exists) return [false, 'python/requirements.txt was not written'];
  if (lock.requirements === 0) return [false, 'python/requirements.txt pins nothing'];
  if (lock.pinned < lock.requirements) {
    return [
      false,
      `${lock.requirements - lock.pinned} of ${lock.requirements} requirements are not pinned with ==`,
    ];
  }
  if (lock.hashed < lock.requirements) {
    return [
      false,
      `${lock.requirements - lock.hashed} of ${lock.requirements} requirements have no --hash`,
    ];
  }
  if (!lock.tracked.lock || !lock.tracked.declaration) {
    return [false, 'python/requirements.txt and python/pyproject.toml are not both committed'];
  }
  const bad = checkFailure(facts, (entry) => entry.kind === 'lock');
  if (bad) return [false, bad];
  return [
    true,
    `python/requirements.txt pins ${lock.packages} packages (== with hashes) for the groups of python/pyproject.toml; both committed` +
      verifiedByCheck(facts),
  ];
}

function judgeDocs(facts: DemoFacts): Verdict {
  const docs = facts.docs;
  if (!docs) return notRun(facts, 'adopt', 'onevenv adopt');
  if (!docs.exists) return [false, 'python/README.md was not written'];
  const missing = [
    ...(docs.covers.cleanClone ? [] : ['a clean clone']),
    ...(docs.covers.worktree ? [] : ['a new worktree']),
    ...(docs.covers.ci ? [] : ['CI']),
  ];
  if (missing.length > 0) return [false, `python/README.md does not cover ${missing.join(', ')}`];
  if (!docs.tracked) return [false, 'python/README.md is not committed'];
  if (!docs.pointer) return [false, 'no project doc (CLAUDE.md) points to python/README.md'];
  const bad = checkFailure(facts, (entry) => entry.kind === 'generated' && isReadme(entry));
  if (bad) return [false, bad];
  return [
    true,
    `python/README.md covers a clean clone, a new worktree and CI; ${docs.pointer} points to it` +
      verifiedByCheck(facts),
  ];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function exchangeProblem(exchange: HttpExchange | undefined, expected: unknown, name: string) {
  if (!exchange) return `${name} was not sent`;
  if (exchange.error) return `${name} failed: ${exchange.error}`;
  if (exchange.status !== 200 || !sameJson(parseJson(exchange.body), expected)) {
    return `${name} answered ${exchange.status}: ${exchange.body.slice(0, 200)}`;
  }
  return undefined;
}

function judgeServer(facts: DemoFacts): Verdict {
  const server = facts.server;
  if (!server) return notRun(facts, 'server', 'replay/start_server.sh');
  if (server.exitedEarly) {
    const { code, lastLine } = server.exitedEarly;
    return [false, `replay/start_server.sh exited ${code}${lastLine ? `: ${lastLine}` : ''}`];
  }
  const problem =
    exchangeProblem(server.exchanges[0], HEALTH_EXPECTED, 'GET /health') ??
    exchangeProblem(server.exchanges[1], SUMMARY_EXPECTED, 'POST /summary');
  if (problem) return [false, problem];
  if (server.ownVenvCreated)
    return [false, 'replay/start_server.sh still made its own replay/.venv'];
  if (!server.stopped) return [false, "the server's process group outlived the stop"];
  return [
    true,
    `replay/start_server.sh served GET /health and POST /summary (2 records, mean 5.0 m/s) ` +
      `through msd_reader from build/debug/python, on python/.venv; stopped, no process left`,
  ];
}

export function judgeCriteria(facts: DemoFacts): Criterion[] {
  const verdicts: Record<string, Verdict> = {
    AC1: judgeSetup(facts),
    AC2: judgeBuild(facts),
    AC3: judgeMcp(facts),
    AC4: judgeCmake(facts),
    AC5: judgeLock(facts),
    AC6: judgeDocs(facts),
    AC7: judgeServer(facts),
  };
  return CRITERIA.map(({ id }) => {
    const [ok, detail] = verdicts[id]!;
    return { id, ok, detail };
  });
}
