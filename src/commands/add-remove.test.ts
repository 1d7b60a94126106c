import { afterEach, describe, expect, it } from 'vitest';
import { hermeticEnv } from '../../test/helpers/locked-repo.js';
import { makeRepo, runCli, type TempRepo } from '../../test/helpers/repo.js';

/** `onevenv add` / `remove` as a user runs them: real CLI, real uv, hermetic wheelhouse. */

const declaration = [
  '[project]',
  'name = "env"',
  'version = "0"',
  'requires-python = ">=3.10"',
  '',
  '# One group per context.',
  '[dependency-groups]',
  'tools = [',
  '  "beta",  # the tools need beta',
  ']',
  'trace = [\'tiny-sitter>=0.21\', "twomods"]',
  '',
  '[tool.onevenv]',
  'installer = "uv"',
  '',
].join('\n');

let repo: TempRepo;
afterEach(() => repo?.cleanup());

async function cli(args: string[]) {
  return runCli(args, { cwd: repo.root, env: hermeticEnv() });
}

async function lockedRepo(text = declaration): Promise<TempRepo> {
  repo = await makeRepo({ 'python/pyproject.toml': text }, { git: true });
  const locked = await cli(['lock']);
  expect(locked.code).toBe(0);
  return repo;
}

function pins(lock: string): string[] {
  return [...lock.matchAll(/^([a-z0-9-]+)==(\S+)/gm)].map((m) => `${m[1]}==${m[2]}`);
}

describe('onevenv add', () => {
  it('adds to an existing multi-line group, keeping comments, and relocks', async () => {
    await lockedRepo();
    const result = await cli(['add', 'gamma', '--group', 'tools', '--no-sync']);
    expect(result.code).toBe(0);
    expect(await repo.read('python/pyproject.toml')).toBe(
      declaration.replace(
        '  "beta",  # the tools need beta\n',
        '  "beta",  # the tools need beta\n  "gamma",\n',
      ),
    );
    expect(pins(await repo.read('python/requirements.txt'))).toEqual([
      'alpha==1.1.0',
      'beta==1.0.0',
      'gamma==0.5.0',
      'tiny-sitter==0.21.0',
      'twomods==1.0.0',
    ]);
    expect(result.stderr).toContain('added gamma to group tools\n');
    expect((await cli(['lock', '--check'])).code).toBe(0);
  });

  it('creates a new group after the last one and replaces a specifier in place', async () => {
    await lockedRepo();
    expect((await cli(['add', 'alpha==1.0.0', '-g', 'pinned', '--no-sync'])).code).toBe(0);
    expect((await cli(['add', 'twomods==1.0.0', '-g', 'trace', '--no-sync'])).code).toBe(0);
    expect(await repo.read('python/pyproject.toml')).toBe(
      declaration
        .replace('"twomods"]', '"twomods==1.0.0"]')
        .replace('"twomods==1.0.0"]\n', '"twomods==1.0.0"]\npinned = ["alpha==1.0.0"]\n'),
    );
    expect(pins(await repo.read('python/requirements.txt'))).toContain('alpha==1.0.0');
  });

  it('syncs the venv so the new package imports', async () => {
    await lockedRepo();
    expect((await cli(['add', 'twomods', 'gamma', '-g', 'tools'])).code).toBe(0);
    const run = await cli([
      'run',
      '--',
      'python',
      '-c',
      'import gamma, beta; print(gamma.__version__)',
    ]);
    expect(run).toMatchObject({ code: 0, stdout: '0.5.0\n' });
  });

  it('keeps the consistent declaration and lock when the sync fails, and says how to retry', async () => {
    await lockedRepo();
    const result = await cli(['add', 'broken-import', '-g', 'tools']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error group tools: import broken_import failed: ImportError: broken_import is broken on purpose\n',
    );
    expect(result.stderr).toContain(
      "python/pyproject.toml and python/requirements.txt are updated and agree; fix the failure above, then run 'onevenv sync' to retry\n",
    );
    expect(await repo.read('python/pyproject.toml')).toContain('"broken-import",');
    expect((await cli(['lock', '--check'])).code).toBe(0);
  });

  it('leaves both files byte-identical when resolution fails', async () => {
    await lockedRepo();
    const before = await repo.snapshot();
    const unknown = await cli(['add', 'no-such-package', '-g', 'tools']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^error python\/pyproject\.toml:\d+: uv cannot resolve the requirements: .*no-such-package.* \(python\/pyproject\.toml and the lock were not changed\)/m,
    );
    const conflict = await cli(['add', 'delta', '-g', 'tools']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain('delta');
    expect(await repo.snapshot()).toEqual(before);
  });

  it('rejects an invalid requirement or a missing group before anything is written', async () => {
    await lockedRepo();
    const before = await repo.snapshot();
    expect(await cli(['add', 'six >>>= 1', '-g', 'tools'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error invalid requirement: invalid version specifier \'>>>= 1\' in \'six >>>= 1\' (use PEP 508, e.g. "fastapi>=0.110" or "tree-sitter[cli]==0.21.3")\n',
    });
    expect((await cli(['add', 'gamma'])).stderr).toBe(
      'error onevenv add needs --group (name the context the dependency is for, e.g. --group mcp)\n',
    );
    expect(await repo.snapshot()).toEqual(before);
  });

  it('previews with --dry-run and writes nothing', async () => {
    await lockedRepo();
    const before = await repo.snapshot();
    const result = await cli(['add', 'gamma', '-g', 'tools', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      [
        '--- a/python/pyproject.toml',
        '+++ b/python/pyproject.toml',
        '@@ -7,6 +7,7 @@',
        ' [dependency-groups]',
        ' tools = [',
        '   "beta",  # the tools need beta',
        '+  "gamma",',
        ' ]',
        ` trace = ['tiny-sitter>=0.21', "twomods"]`,
        ' ',
        'diff --git a/python/requirements.txt b/python/requirements.txt',
      ].join('\n'),
    );
    expect(result.stdout).toContain('+gamma==0.5.0 \\\n');
    expect(await repo.snapshot()).toEqual(before);
  });
});

describe('onevenv remove', () => {
  it('removes from one group only', async () => {
    await lockedRepo(declaration.replace('"twomods"]', '"twomods", "beta"]'));
    const result = await cli(['remove', 'beta', '--group', 'trace', '--no-sync', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      changes: [{ group: 'trace', name: 'beta', action: 'removed', old: 'beta' }],
      pyprojectChanged: true,
      written: true,
      synced: false,
    });
    expect(await repo.read('python/pyproject.toml')).toBe(declaration);
  });

  it('removes from every group, whole lines in multi-line arrays, and drops the pins', async () => {
    await lockedRepo(declaration.replace('"twomods"]', '"twomods", "beta"]'));
    const result = await cli(['remove', 'beta', '--no-sync']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'removed beta from group tools\nremoved beta from group trace\n',
    );
    expect(await repo.read('python/pyproject.toml')).toBe(
      declaration.replace('  "beta",  # the tools need beta\n', ''),
    );
    expect(pins(await repo.read('python/requirements.txt'))).toEqual([
      'tiny-sitter==0.21.0',
      'twomods==1.0.0',
    ]);
  });

  it('refuses a package that is in no group and changes nothing', async () => {
    await lockedRepo();
    const before = await repo.snapshot();
    expect(await cli(['remove', 'gamma'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error python/pyproject.toml: gamma is not in any dependency group (nothing was changed; check the name with: onevenv lock --json)\n',
    });
    expect(await repo.snapshot()).toEqual(before);
  });
});
