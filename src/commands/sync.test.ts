import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticEnv, writeLock } from '../../test/helpers/locked-repo.js';
import { makeRepo, runCli, type TempRepo } from '../../test/helpers/repo.js';
import {
  importAll,
  installedPins,
  leftoversBesideVenv,
  lockedPins,
  venvPythonOf,
} from '../../test/helpers/venv-checks.js';

/**
 * Acceptance for `onevenv sync`, `run`, `which`, `status`: real venvs, real uv and pip,
 * the built CLI as a real process. Every scenario runs for both installers.
 */

const installers = ['uv', 'pip'] as const;

function declaration(installer: string, body = ''): string {
  return [
    '[project]',
    'name = "acceptance"',
    'version = "0"',
    'requires-python = ">=3.10"',
    '',
    '[dependency-groups]',
    'trace = ["tiny-sitter-cpp>=0.22"]',
    'tools = ["beta", "twomods"]',
    '',
    '[tool.onevenv]',
    `installer = "${installer}"`,
    body,
  ].join('\n');
}

async function sync(repo: TempRepo, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const result = await runCli(['sync', '--json', ...args], {
    cwd: repo.root,
    env: { ...hermeticEnv(), ...env },
  });
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { ...result, json };
}

describe.each(installers)('sync with %s', (installer) => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeRepo({ 'python/pyproject.toml': declaration(installer) }, { git: true });
    await writeLock(repo.root);
  });
  afterAll(() => repo.cleanup());

  it('builds the venv from a fresh repository; every group imports', async () => {
    const result = await sync(repo);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.json).toEqual({
      changed: true,
      venv: path.join(repo.root, 'python/.venv'),
      python: venvPythonOf(repo.root),
      pythonVersion: expect.stringMatching(/^3\.\d+\.\d+$/),
      installer,
      packages: 5,
      imports: { ok: true, failed: [] },
    });
    expect(installedPins(repo.root)).toEqual(await lockedPins(repo.root));
    expect(importAll(repo.root, ['tiny_sitter_cpp', 'beta', 'twomods_a', 'twomods_b'])).toEqual([]);
    expect(await leftoversBesideVenv(repo.root)).toEqual([]);
  });

  it('a second sync changes nothing and says so', async () => {
    const marker = await repo.read('python/.venv/.onevenv-state.json');
    const result = await sync(repo);
    expect(result.code).toBe(0);
    expect(result.json).toEqual({
      changed: false,
      venv: path.join(repo.root, 'python/.venv'),
      python: venvPythonOf(repo.root),
      pythonVersion: expect.stringMatching(/^3\.\d+\.\d+$/),
      installer,
      packages: 5,
      imports: { ok: true, failed: [] },
    });
    expect(await repo.read('python/.venv/.onevenv-state.json')).toBe(marker);
  });

  it('the same repository reached through a symlink is the same venv', async () => {
    const link = `${repo.root}-link`;
    await fs.symlink(repo.root, link);
    try {
      const result = await runCli(['sync', '--json', '-C', path.join(link, 'python')], {
        cwd: '/',
        env: hermeticEnv(),
      });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        changed: false,
        venv: path.join(repo.root, 'python/.venv'),
      });
    } finally {
      await fs.rm(link);
    }
  });

  it('run uses the venv and passes the exit code through', async () => {
    const result = await runCli(
      [
        'run',
        '--',
        'python',
        '-c',
        'import os, sys; print(sys.prefix); print(os.environ["VIRTUAL_ENV"]); sys.exit(7)',
      ],
      { cwd: path.join(repo.root, 'python'), env: hermeticEnv() },
    );
    const venv = path.join(repo.root, 'python/.venv');
    expect({ code: result.code, stdout: result.stdout }).toEqual({
      code: 7,
      stdout: `${venv}\n${venv}\n`,
    });
  });

  it('which prints the interpreter, status says ready', async () => {
    const which = await runCli(['which'], { cwd: repo.root });
    expect({ code: which.code, stdout: which.stdout, stderr: which.stderr }).toEqual({
      code: 0,
      stdout: `${venvPythonOf(repo.root)}\n`,
      stderr: '',
    });
    await fs.access(which.stdout.trim());
    const status = await runCli(['status', '--json'], { cwd: repo.root });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      state: 'ready',
      reasons: [],
      installer,
      packages: 5,
      lock: { state: 'current' },
    });
  });

  it('removes a package installed by hand', async () => {
    const python = venvPythonOf(repo.root);
    const wheels = hermeticEnv().UV_FIND_LINKS!;
    if (installer === 'uv') {
      execFileSync(
        'uv',
        [
          'pip',
          'install',
          '-q',
          '--python',
          python,
          '--no-index',
          '--find-links',
          wheels,
          '--no-deps',
          'gamma',
        ],
        { stdio: 'ignore' },
      );
    } else {
      // The venv holds only the lock: pip comes from the base interpreter (`pip --python`).
      const base = JSON.parse(await repo.read('python/.venv/.onevenv-state.json')).python.base;
      execFileSync(
        base,
        [
          '-m',
          'pip',
          '--python',
          python,
          'install',
          '-q',
          '--no-index',
          '--find-links',
          wheels,
          '--no-deps',
          'gamma',
        ],
        { stdio: 'ignore' },
      );
    }
    expect(installedPins(repo.root)).toContain('gamma==0.5.0');
    const status = await runCli(['status', '--json'], { cwd: repo.root });
    expect(JSON.parse(status.stdout).state).toBe('stale');
    const result = await sync(repo);
    expect(result.code).toBe(0);
    expect(result.json?.changed).toBe(true);
    expect(installedPins(repo.root)).toEqual(await lockedPins(repo.root));
  });

  it('applies exactly a changed lock', async () => {
    await repo.write(
      'python/pyproject.toml',
      declaration(installer).replace('tools = ["beta", "twomods"]', 'tools = ["delta", "many"]'),
    );
    await writeLock(repo.root);
    const before = await runCli(['status', '--json'], { cwd: repo.root });
    expect(JSON.parse(before.stdout)).toMatchObject({
      state: 'stale',
      reasons: [
        'python/pyproject.toml changed since the last sync',
        'python/requirements.txt changed since the last sync',
      ],
    });
    const result = await sync(repo);
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ changed: true, packages: 19, imports: { ok: true } });
    const pins = await lockedPins(repo.root);
    expect(pins).toContain('alpha==2.0.0');
    expect(pins).not.toContain('beta==1.0.0');
    expect(installedPins(repo.root)).toEqual(pins);
  });

  it('repairs a truncated marker and a deleted pyvenv.cfg by rebuilding', async () => {
    const markerFile = path.join(repo.root, 'python/.venv/.onevenv-state.json');
    await fs.writeFile(markerFile, (await fs.readFile(markerFile, 'utf8')).slice(0, 50));
    const truncated = await runCli(['status', '--json'], { cwd: repo.root });
    expect(JSON.parse(truncated.stdout)).toMatchObject({
      state: 'stale',
      reasons: ["python/.venv's state marker is unreadable: it is not valid JSON (truncated?)"],
    });
    const first = await sync(repo);
    expect(first.stderr).toContain(
      'Rebuilding python/.venv: its state marker is unreadable: it is not valid JSON (truncated?)',
    );
    expect(first.json).toMatchObject({ changed: true, imports: { ok: true } });

    await fs.rm(path.join(repo.root, 'python/.venv/pyvenv.cfg'));
    const missing = await runCli(['status', '--json'], { cwd: repo.root });
    expect(JSON.parse(missing.stdout)).toMatchObject({
      state: 'stale',
      reasons: ['python/.venv/pyvenv.cfg is missing'],
    });
    const second = await sync(repo);
    expect(second.stderr).toContain('Rebuilding python/.venv: pyvenv.cfg is missing');
    expect(second.json).toMatchObject({ changed: true, imports: { ok: true } });
    expect(installedPins(repo.root)).toEqual(await lockedPins(repo.root));
    expect(await leftoversBesideVenv(repo.root)).toEqual([]);
  });

  it('--deep finds a file deleted inside an installed package; sync --deep rebuilds', async () => {
    const site = execFileSync(
      venvPythonOf(repo.root),
      ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
      {
        encoding: 'utf8',
      },
    ).trim();
    const file = path.join(site, 'alpha/__init__.py');
    await fs.rm(file);
    const shallow = await runCli(['status', '--json'], { cwd: repo.root });
    expect(JSON.parse(shallow.stdout)).toMatchObject({ state: 'ready' });
    const deep = await runCli(['status', '--json', '--deep'], { cwd: repo.root });
    expect(deep.code).toBe(1);
    const shown = path.relative(repo.root, file);
    expect(JSON.parse(deep.stdout)).toMatchObject({
      state: 'stale',
      reasons: [`${shown} (alpha) is missing`],
    });
    const result = await sync(repo, ['--deep']);
    expect(result.stderr).toContain(`Rebuilding python/.venv: ${shown} (alpha) is missing`);
    expect(result.json).toMatchObject({ changed: true, imports: { ok: true } });
    await fs.access(file);
    const again = await runCli(['status', '--json', '--deep'], { cwd: repo.root });
    expect(JSON.parse(again.stdout)).toMatchObject({ state: 'ready', reasons: [] });
  });
});

describe.each(installers)('%s: a directory at the venv path that is not a venv', (installer) => {
  it('exits 2 and leaves it untouched', async () => {
    const repo = await makeRepo(
      {
        'python/pyproject.toml': declaration(installer),
        'python/.venv/notes.txt': 'my notes\n',
        'python/.venv/sub/data.bin': 'data',
      },
      { git: true },
    );
    try {
      await writeLock(repo.root);
      const before = await repo.snapshot();
      const result = await sync(repo);
      expect({ code: result.code, stderr: result.stderr }).toEqual({
        code: 2,
        stderr:
          'error python/.venv: python/.venv exists but is not a virtual environment (no pyvenv.cfg); onevenv will not delete or reuse it (move it away yourself, or set [tool.onevenv] venv to another path)\n',
      });
      expect(await repo.snapshot()).toEqual(before);
    } finally {
      await repo.cleanup();
    }
  });
});
