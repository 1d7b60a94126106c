// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake and VS Code spell their variables ${name}.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TempRepo } from '../helpers/repo.js';

describe('onevenv scan --check on a repository already on the unified venv', () => {
  let repo: TempRepo;

  beforeAll(async () => {
    // The seed ticket's "after" picture in small: every consumer on python/.venv.
    repo = await makeRepo(
      {
        'CMakeLists.txt': [
          'cmake_minimum_required(VERSION 3.24)',
          'project(demo LANGUAGES CXX)',
          '',
          '# One interpreter for every Python step: the repository venv (python/README.md).',
          'set(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)',
          '',
          'add_custom_target(docs-db',
          '  COMMAND ${PROJECT_PYTHON} ${CMAKE_SOURCE_DIR}/tools/docs_db.py',
          '  VERBATIM',
          ')',
          '',
        ].join('\n'),
        '.mcp.json': JSON.stringify(
          {
            mcpServers: {
              docs: { command: 'python/.venv/bin/python3', args: ['tools/docs_server.py'] },
            },
          },
          null,
          2,
        ),
        '.gitignore': 'build/\npython/.venv/\n',
        'tools/serve.sh': [
          '#!/bin/sh',
          'set -eu',
          'cd "$(dirname "$0")/.."',
          'exec python/.venv/bin/python3 tools/docs_server.py "$@"',
          '',
        ].join('\n'),
        '.vscode/settings.json': [
          '{',
          '  // the repository venv',
          '  "python.defaultInterpreterPath": "${workspaceFolder}/python/.venv/bin/python3",',
          '}',
          '',
        ].join('\n'),
        'README.md': '# demo\n\n```bash\npython/setup.sh\nsource python/.venv/bin/activate\n```\n',
        'python/pyproject.toml': '[project]\nname = "env"\nversion = "0"\n',
      },
      { git: true },
    );
  });

  afterAll(async () => {
    await repo.cleanup();
  });

  it('exits 0 and says every reference is unified', async () => {
    const run = await runCli(['scan', '--check'], { cwd: repo.root });
    expect(run).toEqual({
      code: 0,
      stdout: [
        '1 environment in use: python/.venv (7 consumers, unified)',
        '',
        'python/.venv (unified)',
        '  CMake CMakeLists.txt',
        '    CMakeLists.txt:5  venv-variable  ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3',
        '  CMake target docs-db',
        '    CMakeLists.txt:8  python-command  ${PROJECT_PYTHON}',
        '  MCP server docs',
        '    .mcp.json:4  interpreter-path  python/.venv/bin/python3',
        '  VS Code setting python.defaultInterpreterPath',
        '    .vscode/settings.json:3  interpreter-path  ${workspaceFolder}/python/.venv/bin/python3',
        '  doc README.md',
        '    README.md:5  doc-mention  python/.venv/bin/activate  (skip: documentation)',
        '  gitignore .gitignore',
        '    .gitignore:2  gitignore-entry  python/.venv/',
        '  script tools/serve.sh',
        '    tools/serve.sh:4  python-command  python/.venv/bin/python3',
        '',
        'Venvs on disk: none',
        '',
        'Every reference uses the unified venv python/.venv.',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('honours [tool.onevenv] venv: the same repository fails when the venv moves', async () => {
    const moved = await makeRepo({
      '.mcp.json': await repo.read('.mcp.json'),
      'python/pyproject.toml': '[project]\nname = "env"\n\n[tool.onevenv]\nvenv = "../.venv"\n',
    });
    try {
      const run = await runCli(['scan', '--check', '--json'], { cwd: moved.root });
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).references).toEqual([
        {
          file: '.mcp.json',
          line: 4,
          column: 19,
          kind: 'interpreter-path',
          adapter: 'mcp-json',
          consumer: 'MCP server docs',
          environment: 'python/.venv',
          text: 'python/.venv/bin/python3',
          unified: false,
        },
      ]);
    } finally {
      await moved.cleanup();
    }
  });

  it('rejects an unknown format and two conflicting ones with exit 2', async () => {
    expect(await runCli(['scan', '--format', 'yaml'], { cwd: repo.root })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error --format "yaml" is not a format scan knows (use one of: human, json, mermaid)\n',
    });
    expect(await runCli(['scan', '--json', '--format', 'mermaid'], { cwd: repo.root })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error --json and --format mermaid ask for two different outputs (give only one of them)\n',
    });
  });
});
