import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_FIND_PACKAGE, type ReferenceKind } from '../../src/adapters/types.js';
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
const SCRIPTS = 'scripts/.venv';
const REPLAY = 'replay/.venv';
const FIND_PACKAGE = ENV_FIND_PACKAGE;

function ref(
  file: string,
  line: number,
  kind: ReferenceKind,
  environment: string,
  consumer: string,
) {
  return { file, line, kind, environment, consumer };
}

/** Prose that tells people to use scripts/.venv: listed, never a --check failure. */
function doc(file: string, line: number) {
  return { ...ref(file, line, 'doc-mention', SCRIPTS, `doc ${file}`), skipReason: 'documentation' };
}

const expectedReferences = [
  ref('.gitignore', 8, 'gitignore-entry', SCRIPTS, 'gitignore .gitignore'),
  ref('.gitignore', 9, 'gitignore-entry', REPLAY, 'gitignore .gitignore'),
  ref('.mcp.json', 4, 'interpreter-path', SCRIPTS, 'MCP server codebase'),
  ref('.mcp.json', 8, 'interpreter-path', SCRIPTS, 'MCP server traceability'),
  ref('.vscode/tasks.json', 22, 'python-command', SCRIPTS, 'VS Code task Generate record layers'),
  ref('.vscode/tasks.json', 33, 'python-command', SCRIPTS, 'VS Code task Index symbols'),
  doc('CLAUDE.md', 14),
  doc('CLAUDE.md', 16),
  // The comments at lines 149 and 188-189 mention python and scripts/.venv: not references.
  ref('CMakeLists.txt', 150, 'find-package', FIND_PACKAGE, 'CMake CMakeLists.txt'),
  ref('CMakeLists.txt', 155, 'python-found-condition', FIND_PACKAGE, 'CMake CMakeLists.txt'),
  // "CMakeLists.txt:160,172 uses ${Python3_EXECUTABLE} for doxygen/python-db"
  ref('CMakeLists.txt', 160, 'python-command', FIND_PACKAGE, 'CMake target doxygen-db'),
  ref('CMakeLists.txt', 172, 'python-command', FIND_PACKAGE, 'CMake target python-db'),
  // "CMakeLists.txt:194 hardcodes scripts/.venv/bin/python3 for traceability"
  ref('CMakeLists.txt', 194, 'venv-variable', SCRIPTS, 'CMake CMakeLists.txt'),
  ref('CMakeLists.txt', 197, 'python-command', SCRIPTS, 'CMake target trace-git'),
  ref('CMakeLists.txt', 203, 'python-command', SCRIPTS, 'CMake target trace-symbols'),
  ref('CMakeLists.txt', 209, 'python-command', SCRIPTS, 'CMake target trace-decisions'),
  ref('CMakeLists.txt', 215, 'python-command', SCRIPTS, 'CMake target trace-record-mappings'),
  ref('CMakeUserPresets.json', 10, 'interpreter-path', SCRIPTS, 'CMake preset Debug'),
  doc('README.md', 20),
  doc('README.md', 21),
  doc('README.md', 22),
  // The pybind11 module msd_reader: Python3 with Development, and pybind11 itself.
  ref(
    'msd/msd-reader/CMakeLists.txt',
    2,
    'find-package',
    FIND_PACKAGE,
    'CMake msd/msd-reader/CMakeLists.txt',
  ),
  ref(
    'msd/msd-reader/CMakeLists.txt',
    3,
    'find-package',
    FIND_PACKAGE,
    'CMake msd/msd-reader/CMakeLists.txt',
  ),
  // "replay/start_server.sh creates its own venv independently"
  ref('replay/start_server.sh', 14, 'venv-create', REPLAY, 'script replay/start_server.sh'),
  ref('replay/start_server.sh', 17, 'venv-activate', REPLAY, 'script replay/start_server.sh'),
  ref('replay/start_server.sh', 18, 'pip-install', REPLAY, 'script replay/start_server.sh'),
  ref('replay/start_server.sh', 20, 'pythonpath', REPLAY, 'script replay/start_server.sh'),
  ref('replay/start_server.sh', 22, 'python-command', REPLAY, 'script replay/start_server.sh'),
];

/** The three environments of the ticket's overview, with everything that uses each. */
const expectedEnvironments = [
  [
    SCRIPTS,
    [
      'CMake CMakeLists.txt',
      'CMake preset Debug',
      'CMake target trace-decisions',
      'CMake target trace-git',
      'CMake target trace-record-mappings',
      'CMake target trace-symbols',
      'MCP server codebase',
      'MCP server traceability',
      'VS Code task Generate record layers',
      'VS Code task Index symbols',
      'doc CLAUDE.md',
      'doc README.md',
      'gitignore .gitignore',
    ],
  ],
  [
    FIND_PACKAGE,
    [
      'CMake CMakeLists.txt',
      'CMake msd/msd-reader/CMakeLists.txt',
      'CMake target doxygen-db',
      'CMake target python-db',
    ],
  ],
  [REPLAY, ['gitignore .gitignore', 'script replay/start_server.sh']],
];

/**
 * R3's table, as the repository declares it today: replay's pyproject.toml, and the
 * imports of the scripts nobody wrote down (tree-sitter, fastmcp), each where it is
 * first imported. Local modules (trace_db, the replay package) and msd_reader, the
 * pybind11 module the build makes, are not dependencies to install.
 */
const expectedDependencies = [
  ['fastapi', '>=0.110', 'replay/pyproject.toml:11'],
  ['fastapi', '', 'replay/replay/server.py:9'],
  ['fastapi', '', 'replay/tests/test_server.py:2'],
  ['fastmcp', '', 'scripts/mcp/codebase_server.py:6'],
  ['fastmcp', '', 'scripts/mcp/traceability_server.py:6'],
  ['httpx', '>=0.27', 'replay/pyproject.toml:18'],
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
    expect(result.environments.map((env) => [env.id, env.consumers])).toEqual(expectedEnvironments);
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
