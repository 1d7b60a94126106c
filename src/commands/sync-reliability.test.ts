import { execFileSync } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticEnv, writeLock } from '../../test/helpers/locked-repo.js';
import { makeRepo, runCli, type TempRepo } from '../../test/helpers/repo.js';
import {
  importAll,
  installedPins,
  leftoversBesideVenv,
  lockedPins,
} from '../../test/helpers/venv-checks.js';

/**
 * sync under a vanished base interpreter and on an interpreter without ensurepip, both
 * installers. Kills, Ctrl-C, concurrency and the environment lock are tested in
 * test/reliability/.
 */

const installers = ['uv', 'pip'] as const;

function declaration(installer: string, extra = ''): string {
  return [
    '[project]',
    'name = "reliability"',
    'version = "0"',
    'requires-python = ">=3.10"',
    '',
    '[dependency-groups]',
    'trace = ["tiny-sitter-cpp>=0.22"]',
    'fill = ["many"]',
    '',
    '[tool.onevenv]',
    `installer = "${installer}"`,
    extra,
  ].join('\n');
}

/** Processes whose command line mentions `text` (orphaned installers, for instance). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(text) && state !== 'Z') found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone
    }
  }
  return found;
}

async function expectValidEnv(repo: TempRepo): Promise<void> {
  const result = await runCli(['sync', '--json'], { cwd: repo.root, env: hermeticEnv() });
  expect({
    code: result.code,
    stderr: result.stderr.includes('error') ? result.stderr : '',
  }).toEqual({
    code: 0,
    stderr: '',
  });
  expect(JSON.parse(result.stdout).imports).toEqual({ ok: true, failed: [] });
  expect(installedPins(repo.root)).toEqual(await lockedPins(repo.root));
  expect(importAll(repo.root, ['tiny_sitter_cpp', 'many', 'filler_07'])).toEqual([]);
  const status = await runCli(['status', '--json'], { cwd: repo.root });
  expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(status.stdout)).toMatchObject({ state: 'ready', reasons: [] });
  expect(await leftoversBesideVenv(repo.root)).toEqual([]);
  expect(processesMentioning(repo.root)).toEqual([]);
}

/** A Python installation of our own that the test can delete: hard links to a real one. */
async function copyOfPython(into: string): Promise<{ bin: string; version: string }> {
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  let prefix: string | undefined;
  try {
    const versions = (await fs.readdir(path.join(root, 'versions'))).filter((v) =>
      /^3\.(1[0-9])\.\d+$/.test(v),
    );
    versions.sort();
    if (versions[0]) prefix = path.join(root, 'versions', versions[0]);
  } catch {
    // no pyenv
  }
  prefix ??= execFileSync('python3', ['-c', 'import sys; print(sys.base_prefix)'], {
    encoding: 'utf8',
  }).trim();
  try {
    execFileSync('cp', ['-al', prefix, into], { stdio: 'ignore' });
  } catch {
    execFileSync('cp', ['-a', prefix, into], { stdio: 'ignore' });
  }
  const bin = path.join(into, 'bin');
  const version = execFileSync(
    path.join(bin, 'python3'),
    ['-c', 'import platform; print(platform.python_version())'],
    {
      encoding: 'utf8',
    },
  ).trim();
  return { bin, version };
}

describe.each(installers)('%s: base interpreter removed', (installer) => {
  let repo: TempRepo;
  let copy: string;
  beforeAll(async () => {
    repo = await makeRepo({ 'python/pyproject.toml': declaration(installer) }, { git: true });
    await writeLock(repo.root, { python: '3.10' });
    copy = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-python-copy-'));
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(copy, { recursive: true, force: true });
  });

  it('rebuilds the venv when the interpreter it was built from is deleted', async () => {
    const python = await copyOfPython(path.join(copy, 'python'));
    const PATH = `${python.bin}${path.delimiter}${process.env.PATH}`;
    const first = await runCli(['sync', '--json'], {
      cwd: repo.root,
      env: { ...hermeticEnv(), PATH },
    });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).pythonVersion).toBe(python.version);
    const cfg = await repo.read('python/.venv/pyvenv.cfg');
    expect(cfg).toContain(python.bin);

    await fs.rm(copy, { recursive: true, force: true });
    const status = await runCli(['status', '--json'], { cwd: repo.root });
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout).reasons).toContainEqual(
      expect.stringMatching(
        /^the venv's interpreter no longer resolves \(base interpreter .* vanished or moved\)$/,
      ),
    );

    const again = await runCli(['sync', '--json'], {
      cwd: repo.root,
      env: { ...hermeticEnv(), PATH },
    });
    expect(again.stderr).toMatch(
      /Rebuilding python\/\.venv: its base interpreter .* vanished or moved/,
    );
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: true, imports: { ok: true } });
    expect(await repo.read('python/.venv/pyvenv.cfg')).not.toContain(copy);
    await expectValidEnv(repo);
  });
});

describe('an interpreter without ensurepip (Debian without python3.X-venv)', () => {
  let copy: string;
  let python: { bin: string; version: string };
  let minor: string;
  beforeAll(async () => {
    copy = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-python-copy-'));
    python = await copyOfPython(path.join(copy, 'python'));
    minor = python.version.split('.').slice(0, 2).join('.');
    await fs.rm(path.join(copy, 'python/lib', `python${minor}`, 'ensurepip'), { recursive: true });
  });
  afterAll(() => fs.rm(copy, { recursive: true, force: true }));
  const env = () => ({
    ...hermeticEnv(),
    ONEVENV_UV: '',
    PATH: `${python.bin}${path.delimiter}${process.env.PATH}`,
  });

  it("pip backend: the base interpreter's own pip installs into a venv without pip", async () => {
    const repo = await makeRepo({ 'python/pyproject.toml': declaration('pip') }, { git: true });
    try {
      await writeLock(repo.root);
      const result = await runCli(['sync', '--json'], { cwd: repo.root, env: env() });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        pythonVersion: python.version,
        installer: 'pip',
        imports: { ok: true },
      });
      expect(installedPins(repo.root)).toEqual(await lockedPins(repo.root));
    } finally {
      await repo.cleanup();
    }
  });

  it('and no pip either, no uv: exit 2 naming the package to install, nothing changed', async () => {
    const site = path.join(copy, 'python/lib', `python${minor}`, 'site-packages');
    for (const entry of await fs.readdir(site)) {
      if (/^pip([-.]|$)/.test(entry)) await fs.rm(path.join(site, entry), { recursive: true });
    }
    const repo = await makeRepo({ 'python/pyproject.toml': declaration('pip') }, { git: true });
    try {
      await writeLock(repo.root);
      const before = await repo.snapshot();
      const result = await runCli(['sync'], { cwd: repo.root, env: env() });
      expect({ code: result.code, stderr: result.stderr }).toEqual({
        code: 2,
        stderr: `error ${python.bin}/python${minor} (Python ${python.version}) cannot create a venv with pip: it has neither ensurepip nor pip (install python${minor}-venv (e.g. sudo apt install python${minor}-venv), or install uv)\n`,
      });
      expect(await repo.snapshot()).toEqual(before);
    } finally {
      await repo.cleanup();
    }
  });
});
