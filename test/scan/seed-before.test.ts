import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHuman, formatMermaid, toScanJson } from '../../src/core/scan/format.js';
import type { ScanResult } from '../../src/core/scan/model.js';
import { scanRepository } from '../../src/core/scan/scan.js';
import { setColorEnabled } from '../../src/util/colors.js';
import { runCli, type TempRepo } from '../helpers/repo.js';
import { fixtureRepo } from './fixture.js';

/**
 * The acceptance test of `onevenv scan`: test/fixtures/seed-before reproduces the
 * "before" state of the seed ticket (seed/000: Ticket 0065), as its Technical Notes
 * describe it — CMakeLists.txt:160,172 run ${Python3_EXECUTABLE} for doxygen-db and
 * python-db, CMakeLists.txt:194 hardcodes scripts/.venv/bin/python3 as TRACE_VENV for
 * the four trace targets, .mcp.json runs both servers on scripts/.venv,
 * replay/start_server.sh makes its own .venv, a pybind11 module target, VS Code tasks
 * and .gitignore on the old venvs, and docs that tell people to activate scripts/.venv.
 * Every reference is listed here, so a reference found or lost shows up as a diff.
 */
const expectedReferences = [
  ...(
    [
      [8, 'scripts/.venv'],
      [9, 'replay/.venv'],
    ] as const
  ).map(([line, environment]) => ({
    file: '.gitignore',
    line,
    kind: 'gitignore-entry',
    environment,
    consumer: 'gitignore .gitignore',
  })),
  {
    file: '.mcp.json',
    line: 4,
    kind: 'interpreter-path',
    environment: 'scripts/.venv',
    consumer: 'MCP server codebase',
  },
  {
    file: '.mcp.json',
    line: 8,
    kind: 'interpreter-path',
    environment: 'scripts/.venv',
    consumer: 'MCP server traceability',
  },
  {
    file: '.vscode/tasks.json',
    line: 22,
    kind: 'python-command',
    environment: 'scripts/.venv',
    consumer: 'VS Code task Generate record layers',
  },
  {
    file: '.vscode/tasks.json',
    line: 33,
    kind: 'python-command',
    environment: 'scripts/.venv',
    consumer: 'VS Code task Index symbols',
  },
  ...(
    [
      ['CLAUDE.md', 14, 'venv-activate'],
      ['CLAUDE.md', 16, 'python-command'],
    ] as const
  ).map(([file, line]) => ({
    file,
    line,
    kind: 'doc-mention',
    environment: 'scripts/.venv',
    consumer: `doc ${file}`,
    skipReason: 'documentation',
  })),
  // CMakeLists.txt:150-172: find_package(Python3) and ${Python3_EXECUTABLE} for the doc
  // databases; :194 binds TRACE_VENV to scripts/.venv/bin/python3 for the trace targets.
  ...(
    [
      [150, 'find-package', 'find_package(Python3)', 'CMake CMakeLists.txt'],
      [155, 'python-found-condition', 'find_package(Python3)', 'CMake CMakeLists.txt'],
      [160, 'python-command', 'find_package(Python3)', 'CMake target doxygen-db'],
      [172, 'python-command', 'find_package(Python3)', 'CMake target python-db'],
      [194, 'venv-variable', 'scripts/.venv', 'CMake CMakeLists.txt'],
      [197, 'python-command', 'scripts/.venv', 'CMake target trace-git'],
      [203, 'python-command', 'scripts/.venv', 'CMake target trace-symbols'],
      [209, 'python-command', 'scripts/.venv', 'CMake target trace-decisions'],
      [215, 'python-command', 'scripts/.venv', 'CMake target trace-record-mappings'],
    ] as const
  ).map(([line, kind, environment, consumer]) => ({
    file: 'CMakeLists.txt',
    line,
    kind,
    environment,
    consumer,
  })),
  {
    file: 'CMakeUserPresets.json',
    line: 10,
    kind: 'interpreter-path',
    environment: 'scripts/.venv',
    consumer: 'CMake preset Debug',
  },
  ...(
    [
      ['README.md', 20, 'venv-create'],
      ['README.md', 21, 'venv-activate'],
      ['README.md', 22, 'pip-install'],
    ] as const
  ).map(([file, line]) => ({
    file,
    line,
    kind: 'doc-mention',
    environment: 'scripts/.venv',
    consumer: `doc ${file}`,
    skipReason: 'documentation',
  })),
  // The pybind11 module: its find_package calls choose the interpreter it is built for.
  ...([2, 3] as const).map((line) => ({
    file: 'msd/msd-reader/CMakeLists.txt',
    line,
    kind: 'find-package',
    environment: 'find_package(Python3)',
    consumer: 'CMake msd/msd-reader/CMakeLists.txt',
  })),
  ...(
    [
      [14, 'venv-create'],
      [17, 'venv-activate'],
      [18, 'pip-install'],
      [20, 'pythonpath'],
      [22, 'python-command'],
    ] as const
  ).map(([line, kind]) => ({
    file: 'replay/start_server.sh',
    line,
    kind,
    environment: 'replay/.venv',
    consumer: 'script replay/start_server.sh',
  })),
];

/**
 * R3's table, as the repository declares it today: replay's pyproject.toml, and the
 * imports of the scripts nobody wrote down (tree-sitter, fastmcp), each where it is
 * first imported. Local modules (trace_db, the replay package) are not dependencies.
 */
const expectedDependencies = [
  ['fastapi', '>=0.110', 'replay/pyproject.toml:11'],
  ['fastapi', '', 'replay/replay/server.py:9'],
  ['fastapi', '', 'replay/tests/test_server.py:2'],
  ['fastmcp', '', 'scripts/mcp/codebase_server.py:6'],
  ['fastmcp', '', 'scripts/mcp/traceability_server.py:6'],
  ['httpx', '>=0.27', 'replay/pyproject.toml:18'],
  ['msd-reader', '', 'replay/replay/server.py:8'],
  ['pydantic', '>=2.6', 'replay/pyproject.toml:13'],
  ['pydantic', '', 'replay/replay/server.py:10'],
  ['pytest', '>=8', 'replay/pyproject.toml:19'],
  ['pytest', '', 'replay/tests/test_server.py:1'],
  ['tree-sitter', '', 'scripts/traceability/index_record_mappings.py:7'],
  ['tree-sitter', '', 'scripts/traceability/index_symbols.py:7'],
  ['tree-sitter-cpp', '', 'scripts/traceability/index_record_mappings.py:6'],
  ['tree-sitter-cpp', '', 'scripts/traceability/index_symbols.py:6'],
  ['uvicorn', '>=0.29', 'replay/pyproject.toml:12'],
];

describe('onevenv scan on the seed ticket before state', () => {
  let repo: TempRepo;
  let result: ScanResult;

  beforeAll(async () => {
    setColorEnabled(false);
    repo = await fixtureRepo('seed-before');
    result = await scanRepository(repo.root);
  });

  afterAll(async () => {
    setColorEnabled(undefined);
    await repo.cleanup();
  });

  it('finds exactly the references the ticket describes', () => {
    expect(
      result.references.map(({ file, line, kind, environment, consumer, skipReason }) => ({
        file,
        line,
        kind,
        environment,
        consumer,
        ...(skipReason === undefined ? {} : { skipReason }),
      })),
    ).toEqual(expectedReferences);
    expect(result.references.every((reference) => !reference.unified)).toBe(true);
    expect(result.dependencies.map((d) => [d.name, d.specifier, d.source])).toEqual(
      expectedDependencies,
    );
    expect(result.venvsOnDisk).toEqual([]);
  });

  it('--check exits 1 with the human report, and the scan writes nothing', async () => {
    const before = await repo.snapshot();
    const run = await runCli(['scan', '--check'], { cwd: repo.root });
    expect(run).toEqual({ code: 1, stdout: formatHuman(result), stderr: '' });
    expect(await repo.snapshot()).toEqual(before);
  });

  it('--json prints the public shape; without --check the exit code is 0', async () => {
    const run = await runCli(['scan', '--json'], { cwd: `${repo.root}/scripts` });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(toScanJson(result))));
  });

  it('--format mermaid draws the same graph', async () => {
    const run = await runCli(['scan', '--format', 'mermaid'], { cwd: repo.root });
    expect(run).toEqual({ code: 0, stdout: formatMermaid(result), stderr: '' });
  });
});
