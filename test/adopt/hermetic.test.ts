import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLockFile } from '../../src/core/lock/lock-file.js';
import { runProcess } from '../../src/util/exec.js';
import { hermeticEnv } from '../helpers/locked-repo.js';
import { backendDir } from '../helpers/python-packages.js';
import { makeRepo, runCli, type TempRepo } from '../helpers/repo.js';
import { changes } from './repos.js';

/**
 * adopt end to end without the network: a small fragmented repository whose dependencies
 * are all in the test wheelhouse, so the lock, python/setup.sh and the import checks run
 * for real and every byte of the declaration is known.
 */

async function fragmentedRepo(extra: Record<string, string> = {}): Promise<TempRepo> {
  const backend = await fs.readFile(path.join(backendDir, 'tiny_backend.py'), 'utf8');
  return makeRepo(
    {
      '.gitignore': 'tools/.venv/\n',
      '.mcp.json': `${JSON.stringify(
        {
          mcpServers: {
            tools: { command: 'tools/.venv/bin/python', args: ['tools/mcp/server.py'] },
          },
        },
        null,
        2,
      )}\n`,
      'tools/mcp/server.py': 'import alpha\n\nprint(alpha.NAME)\n',
      'tools/indexer/index.py': 'import tiny_sitter_cpp\nfrom tiny_sitter import LANGUAGES\n',
      'tools/indexer/requirements.txt': 'tiny-sitter>=0.21\n',
      'tools/run.sh':
        '#!/bin/sh\ncd "$(dirname "$0")/.."\nexport PYTHONPATH=build/native\nexec tools/.venv/bin/python tools/indexer/index.py\n',
      'lib/pyproject.toml': [
        '[project]',
        'name = "lib"',
        'version = "0.1.0"',
        'requires-python = ">=3.10"',
        'dependencies = ["gamma"]',
        '',
        '[project.optional-dependencies]',
        'test = ["twomods"]',
        '',
        '[build-system]',
        'requires = []',
        'build-backend = "tiny_backend"',
        'backend-path = ["."]',
        '',
      ].join('\n'),
      'lib/tiny_backend.py': backend,
      'lib/tiny-package.json': JSON.stringify({
        name: 'lib',
        version: '0.1.0',
        requires: ['gamma'],
      }),
      'lib/src/lib/__init__.py': 'import gamma\n',
      'lib/tests/test_lib.py': 'import lib\nimport beta\n',
      ...extra,
    },
    { git: true, name: 'fragmented' },
  );
}

const DECLARATION = `# The one Python environment of this repository (python/.venv): every context that
# uses Python has a dependency group here. python/requirements.txt pins them all
# (onevenv lock); python/setup.sh or onevenv sync builds the venv from it.
# Written by onevenv adopt from what it found; edit freely, or use onevenv add.

[project]
name = "fragmented-python-env"  # never built or published
version = "0"
requires-python = ">=3.10"  # lib/pyproject.toml:4
dependencies = []

[dependency-groups]
# tools/indexer; tools/indexer/requirements.txt
indexer = [
    "tiny-sitter>=0.21",
    "tiny-sitter-cpp",
]
# lib
lib = [
    "beta",
]
# tools/mcp
mcp = [
    "alpha",
]
# lib/pyproject.toml extra test
test = [
    "twomods",
]

[tool.onevenv]
# local packages, installed in editable mode
editable = ["../lib"]
# put on sys.path through a .pth file: modules built into these directories
paths = ["../build/native"]
`;

describe('adopt --write offline, then python/setup.sh', () => {
  let repo: TempRepo;
  const env = hermeticEnv();

  beforeAll(async () => {
    repo = await fragmentedRepo();
  });
  afterAll(() => repo.cleanup());

  it('writes the declaration and a lock from the wheelhouse, and a second run changes nothing', async () => {
    const before = await repo.snapshot();
    const run = await runCli(['adopt', '--write'], { cwd: repo.root, env });
    expect(run.code).toBe(0);
    const after = await repo.snapshot();
    const changed = changes(before, after);
    expect(changed.added).toEqual([
      'python/README.md',
      'python/pyproject.toml',
      'python/requirements.txt',
      'python/setup.sh',
    ]);
    expect(changed.removed).toEqual([]);
    // Consumer files change as their rewriters say (each tested on its own).
    expect(changed.changed).toContain('.gitignore');
    expect(await repo.read('python/pyproject.toml')).toBe(DECLARATION);
    expect(await repo.read('.gitignore')).toBe('python/.venv/\npython/.venv.*\n');
    const lock = parseLockFile(await repo.read('python/requirements.txt'));
    expect(lock.packages.map((p) => [p.name, p.version])).toEqual([
      ['alpha', '1.1.0'],
      ['beta', '1.0.0'],
      ['gamma', '0.5.0'],
      ['tiny-sitter', '0.21.0'],
      ['tiny-sitter-cpp', '0.22.0'],
      ['twomods', '1.0.0'],
    ]);

    const second = await runCli(['adopt', '--write'], { cwd: repo.root, env });
    expect(second.code).toBe(0);
    expect(await repo.snapshot()).toEqual(after);
  });

  it('python/setup.sh builds a venv from it in which every context imports', async () => {
    await repo.write('build/native/native_mod.py', 'X = 42\n');
    const setup = await runProcess('sh', ['python/setup.sh'], {
      cwd: repo.root,
      env: { ...process.env, ...env },
    });
    expect([setup.code, setup.stderr.includes('error')]).toEqual([0, false]);
    const probe = await runProcess(
      path.join(repo.root, 'python/.venv/bin/python3'),
      [
        '-c',
        'import alpha, beta, lib, tiny_sitter_cpp, twomods_a, native_mod; print(alpha.__version__, native_mod.X)',
      ],
      { cwd: repo.root },
    );
    expect([probe.code, probe.stdout]).toEqual([0, '1.1.0 42\n']);
  });
});

describe('adopt --write when the lock cannot be resolved', () => {
  it('writes everything else and says which command to run', async () => {
    const repo = await fragmentedRepo({ 'tools/extra/x.py': 'import not_in_the_wheelhouse\n' });
    try {
      const run = await runCli(['adopt', '--write'], { cwd: repo.root, env: hermeticEnv() });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        'Everything else is in place; run npx onevenv lock once that is fixed, then python/setup.sh.',
      );
      expect(await repo.exists('python/pyproject.toml')).toBe(true);
      expect(await repo.exists('python/setup.sh')).toBe(true);
      expect(await repo.exists('python/requirements.txt')).toBe(false);
      expect(await repo.read('python/pyproject.toml')).toContain(
        '# tools/extra\nextra = [\n    "not-in-the-wheelhouse",\n]\n',
      );
    } finally {
      await repo.cleanup();
    }
  });
});
