import { describe, expect, it } from 'vitest';
import { judgeCriteria } from './criteria.js';
import type { CheckEntry, DemoFacts } from './facts.js';
import { docCoverage, lockStats } from './run-demo.js';

function outcome(command: string, code: number | null, seconds: number, lastLine = '') {
  return { command, code, seconds, lastLine };
}

function entry(
  kind: string,
  target: string,
  ok: boolean,
  detail: string,
  skipped?: boolean,
): CheckEntry {
  return { id: `${kind}:${target}`, kind, target, ok, detail, ...(skipped ? { skipped } : {}) };
}

const CHECKS: CheckEntry[] = [
  entry('import', 'group mcp', true, 'fastmcp'),
  entry('mcp', 'codebase (.mcp.json)', true, 'codebase answered initialize and tools/list: 1 tool'),
  entry('mcp', 'traceability (.mcp.json)', true, 'answered: 2 tools'),
  entry('cmake', 'CMakeLists.txt', true, 'every Python command runs PROJECT_PYTHON'),
  entry('cmake', 'build/debug', true, '8 targets run python/.venv/bin/python3'),
  entry(
    'abi',
    'build/debug/python/msd_reader.cpython-311-x86_64-linux-gnu.so',
    true,
    'msd_reader: built for CPython 3.11 (x86_64-linux-gnu), the venv ABI',
  ),
  entry('lock', 'python/requirements.txt', true, 'current'),
  entry('generated', 'python/README.md', true, 'current'),
  entry('generated', 'python/setup.sh', true, 'current'),
  entry('stray-venv', 'repository', true, 'none'),
];

function passingFacts(): DemoFacts {
  const scan = {
    outcome: outcome('onevenv scan --check --json', 0, 0.3),
    reported: true,
    environments: [{ id: 'python/.venv', consumers: 12 }],
    off: 0,
    cmakeOff: 0,
    venvsOnDisk: [],
  };
  return {
    tools: { git: 'git 2.39', cmake: 'cmake 3.25', ninja: '1.11', compiler: 'c++ (g++ 12)' },
    notRun: {},
    scanBefore: { ...scan, off: 28, cmakeOff: 12 },
    adopt: {
      outcome: outcome('onevenv adopt --write', 0, 4.2),
      changes: [{ file: 'CMakeLists.txt', status: 'modified', added: 13, removed: 10 }],
      committed: true,
      leftovers: [],
    },
    scanAfter: scan,
    setup: {
      outcome: outcome('python/setup.sh', 0, 3.14),
      status: {
        state: 'ready',
        pythonVersion: '3.11.7',
        packages: 73,
        installer: 'uv',
        importsOk: true,
        importFailures: [],
        lockState: 'current',
      },
    },
    build: {
      configure: outcome('cmake --preset debug', 0, 1.5),
      build: outcome('cmake --build --preset debug-all', 0, 18.25),
      targetLines: ['doxygen-db: 4 documented declarations', 'trace-git: 2 commits'],
    },
    check: { outcome: outcome('onevenv check --json', 0, 6), checks: CHECKS },
    lock: {
      exists: true,
      requirements: 99,
      packages: 76,
      pinned: 99,
      hashed: 99,
      tracked: { lock: true, declaration: true },
    },
    docs: {
      exists: true,
      tracked: true,
      covers: { cleanClone: true, worktree: true, ci: true },
      pointer: 'CLAUDE.md',
    },
    server: {
      port: 40123,
      exchanges: [
        { request: 'GET /health', status: 200, body: '{"status":"ok","reader":"msd_reader"}' },
        { request: 'POST /summary', status: 200, body: '{"records":2,"mean_speed_mps":5.0}' },
      ],
      exitedEarly: undefined,
      ownVenvCreated: false,
      stopped: true,
    },
  };
}

function rows(facts: DemoFacts) {
  return Object.fromEntries(judgeCriteria(facts).map((row) => [row.id, [row.ok, row.detail]]));
}

describe('judgeCriteria', () => {
  it('passes every criterion when every step did its part, each with its reason', () => {
    expect(judgeCriteria(passingFacts())).toEqual([
      {
        id: 'AC1',
        ok: true,
        detail:
          'python/setup.sh built python/.venv in a clean tree in 3.1s: Python 3.11.7, 73 packages (uv), every group imports',
      },
      {
        id: 'AC2',
        ok: true,
        detail: 'configured and built in 19.8s; Python targets ran: doxygen-db, trace-git',
      },
      {
        id: 'AC3',
        ok: true,
        detail:
          '2 servers answered initialize and tools/list: codebase (1 tool), traceability (2 tools)',
      },
      {
        id: 'AC4',
        ok: true,
        detail:
          "scan finds every CMake reference on python/.venv; check: 2 CMake checks pass, msd_reader is built for the venv's ABI",
      },
      {
        id: 'AC5',
        ok: true,
        detail:
          'python/requirements.txt pins 76 packages (== with hashes) for the groups of python/pyproject.toml; both committed',
      },
      {
        id: 'AC6',
        ok: true,
        detail:
          'python/README.md covers a clean clone, a new worktree and CI; CLAUDE.md points to it',
      },
      {
        id: 'AC7',
        ok: true,
        detail:
          'replay/start_server.sh served GET /health and POST /summary (2 records, mean 5.0 m/s) through msd_reader from build/debug/python, on python/.venv; stopped, no process left',
      },
    ]);
  });

  it('fails the build rows with the reason when cmake is missing', () => {
    const facts = passingFacts();
    facts.build = undefined;
    facts.notRun.build = 'cmake is not on PATH (install CMake 3.25 or later)';
    facts.notRun.server =
      'it needs msd_reader from the C++ build, which was not attempted: cmake is not on PATH (install CMake 3.25 or later)';
    facts.server = undefined;
    facts.check!.checks = CHECKS.map((c) =>
      c.kind === 'cmake' && c.target === 'build/debug'
        ? entry('cmake', 'build/debug', true, 'no build directory: run cmake --preset debug', true)
        : c.kind === 'abi'
          ? entry('abi', 'build/debug/python', true, 'no extension module built yet', true)
          : c,
    );
    const result = rows(facts);
    expect(result.AC2).toEqual([
      false,
      'the CMake build did not run: cmake is not on PATH (install CMake 3.25 or later)',
    ]);
    expect(result.AC4).toEqual([
      false,
      'the build commands and the module ABI were not checked: cmake is not on PATH (install CMake 3.25 or later)',
    ]);
    expect(result.AC7).toEqual([
      false,
      'replay/start_server.sh did not run: it needs msd_reader from the C++ build, which was not attempted: cmake is not on PATH (install CMake 3.25 or later)',
    ]);
    expect(result.AC1?.[0]).toBe(true);
    expect(result.AC3?.[0]).toBe(true);
  });

  it('does not take a scan that gave no report for a clean one', () => {
    const facts = passingFacts();
    facts.scanAfter = {
      ...facts.scanAfter!,
      outcome: outcome('onevenv scan --check --json', 3, 0.2, 'TypeError: boom'),
      reported: false,
    };
    expect(rows(facts).AC4).toEqual([
      false,
      'onevenv scan --check gave no report (onevenv scan --check --json exited 3: TypeError: boom)',
    ]);
  });

  it('says why when setup.sh fails or an import does', () => {
    const failing = passingFacts();
    failing.setup!.outcome = outcome(
      'python/setup.sh',
      1,
      2,
      "error group traceability: import _binding failed: ModuleNotFoundError: No module named '_binding'",
    );
    expect(rows(failing).AC1).toEqual([
      false,
      "python/setup.sh exited 1: error group traceability: import _binding failed: ModuleNotFoundError: No module named '_binding'",
    ]);
    const stale = passingFacts();
    stale.setup!.status!.state = 'stale';
    expect(rows(stale).AC1).toEqual([false, 'python/setup.sh exited 0, but python/.venv is stale']);
    const leftovers = passingFacts();
    leftovers.adopt!.leftovers = ['python/.cache/x'];
    expect(rows(leftovers).AC1).toEqual([
      false,
      "the tree before python/setup.sh was not a clean clone's: python/.cache/x is untracked",
    ]);
  });

  it('needs check for the MCP and CMake rows; the others stand on their own evidence', () => {
    const facts = passingFacts();
    facts.check = {
      outcome: outcome('onevenv check --json', 3, 1, 'TypeError: x'),
      checks: undefined,
    };
    const result = rows(facts);
    expect(result.AC3).toEqual([
      false,
      'onevenv check gave no report (onevenv check --json exited 3: TypeError: x)',
    ]);
    expect(result.AC4).toEqual(result.AC3);
    expect(result.AC5).toEqual([
      true,
      'python/requirements.txt pins 76 packages (== with hashes) for the groups of python/pyproject.toml; both committed (onevenv check gave no report: exit 3)',
    ]);
    expect(result.AC6?.[0]).toBe(true);
  });

  it('names the failing check', () => {
    const facts = passingFacts();
    facts.check!.checks = CHECKS.map((c) =>
      c.target === 'traceability (.mcp.json)'
        ? entry('mcp', c.target, false, 'exited 1 before answering initialize\nTraceback ...')
        : c.kind === 'generated' && c.target === 'python/README.md'
          ? entry('generated', c.target, false, 'out of date: run onevenv adopt --write')
          : c,
    );
    const result = rows(facts);
    expect(result.AC3).toEqual([
      false,
      'onevenv check: traceability (.mcp.json): exited 1 before answering initialize',
    ]);
    expect(result.AC6).toEqual([
      false,
      'onevenv check: python/README.md: out of date: run onevenv adopt --write',
    ]);
    expect(result.AC1?.[0]).toBe(true);
  });

  it('checks the files behind AC5 and AC6', () => {
    const unpinned = passingFacts();
    unpinned.lock!.pinned = 93;
    expect(rows(unpinned).AC5).toEqual([false, '6 of 99 requirements are not pinned with ==']);
    const uncommitted = passingFacts();
    uncommitted.lock!.tracked.lock = false;
    expect(rows(uncommitted).AC5).toEqual([
      false,
      'python/requirements.txt and python/pyproject.toml are not both committed',
    ]);
    const partial = passingFacts();
    partial.docs!.covers = { cleanClone: true, worktree: false, ci: false };
    expect(rows(partial).AC6).toEqual([
      false,
      'python/README.md does not cover a new worktree, CI',
    ]);
    const pointerless = passingFacts();
    pointerless.docs!.pointer = undefined;
    expect(rows(pointerless).AC6).toEqual([
      false,
      'no project doc (CLAUDE.md) points to python/README.md',
    ]);
  });

  it('compares the server answers and requires its own venv gone and the group stopped', () => {
    const wrong = passingFacts();
    wrong.server!.exchanges[1] = {
      request: 'POST /summary',
      status: 500,
      body: 'Internal Server Error',
    };
    expect(rows(wrong).AC7).toEqual([false, 'POST /summary answered 500: Internal Server Error']);
    const early = passingFacts();
    early.server!.exitedEarly = {
      code: 1,
      lastLine: 'msd_reader is not built: run cmake --preset debug && cmake --build --preset debug',
    };
    expect(rows(early).AC7).toEqual([
      false,
      'replay/start_server.sh exited 1: msd_reader is not built: run cmake --preset debug && cmake --build --preset debug',
    ]);
    const ownVenv = passingFacts();
    ownVenv.server!.ownVenvCreated = true;
    expect(rows(ownVenv).AC7).toEqual([
      false,
      'replay/start_server.sh still made its own replay/.venv',
    ]);
    const orphan = passingFacts();
    orphan.server!.stopped = false;
    expect(rows(orphan).AC7).toEqual([false, "the server's process group outlived the stop"]);
  });
});

describe('lockStats', () => {
  it('counts requirements pip would read, pinned and hashed', () => {
    const hash = `--hash=sha256:${'a'.repeat(64)}`;
    const text = [
      '# header',
      '--index-url https://pypi.org/simple',
      '',
      `alpha==1.0.0 ; python_full_version < '3.11' \\`,
      `    ${hash}`,
      '    # via beta',
      `Beta[extra]==2.0 \\`,
      `    ${hash} \\`,
      `    ${hash}`,
      'gamma>=1',
      `delta===0.1 ${hash}`,
    ].join('\n');
    expect(lockStats(text)).toEqual({ requirements: 4, packages: 4, pinned: 3, hashed: 3 });
  });
});

describe('docCoverage', () => {
  it('finds the three set-up scenarios', () => {
    expect(
      docCoverage(
        '# Env\n## Set up from a clean clone\n## A new git worktree\n## CI with only a system Python\n',
      ),
    ).toEqual({
      cleanClone: true,
      worktree: true,
      ci: true,
    });
    expect(docCoverage('# Env\nRun setup.sh in the city.\n')).toEqual({
      cleanClone: false,
      worktree: false,
      ci: false,
    });
  });
});
