import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticEnv, writeLock } from '../../test/helpers/locked-repo.js';
import { cliPath, makeRepo, runCli, type TempRepo } from '../../test/helpers/repo.js';
import {
  importAll,
  installedPins,
  leftoversBesideVenv,
  lockedPins,
} from '../../test/helpers/venv-checks.js';

/**
 * sync under a vanished base interpreter, concurrency, SIGKILL and Ctrl-C at chosen
 * moments, and the environment lock's wait / timeout / takeover. Both installers.
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

function startSync(repo: TempRepo, env: NodeJS.ProcessEnv = {}): ChildProcess {
  // Detached: the test can signal onevenv's whole process group, as a terminal or CI would.
  return spawn(process.execPath, [cliPath, 'sync', '--json'], {
    cwd: repo.root,
    env: { ...process.env, NO_COLOR: '1', ...hermeticEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

function finished(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
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

async function waitFor(file: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.access(file);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${file} never appeared`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
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

describe.each(installers)('%s: concurrency and interruption', (installer) => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeRepo({ 'python/pyproject.toml': declaration(installer) }, { git: true });
    await writeLock(repo.root);
  });
  afterAll(() => repo.cleanup());

  it('four syncs at once on a cold repository: all succeed, one builds', async () => {
    const results = await Promise.all(
      [0, 1, 2, 3].map(() => runCli(['sync', '--json'], { cwd: repo.root, env: hermeticEnv() })),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const changed = results.map((r) => JSON.parse(r.stdout).changed as boolean);
    expect(changed.filter(Boolean)).toHaveLength(1);
    const waited = results.filter((r) =>
      /waiting for onevenv \(pid \d+\) to finish with python\/\.venv \(lock python\/\.venv\.lock\)/.test(
        r.stderr,
      ),
    );
    expect(waited.length).toBeGreaterThan(0);
    await expectValidEnv(repo);
  });

  it('SIGKILL of the whole process group at several moments: the next sync converges', async () => {
    // Measure a cold sync, then kill cold syncs at fractions of that duration.
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
    const started = Date.now();
    const measured = startSync(repo);
    expect((await finished(measured)).code).toBe(0);
    const duration = Date.now() - started;
    const fractions = installer === 'uv' ? [0.1, 0.3, 0.5, 0.7, 0.9] : [0.2, 0.5, 0.85];
    const outcomes: string[] = [];
    for (const fraction of fractions) {
      await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
      const child = startSync(repo);
      await new Promise((resolve) => setTimeout(resolve, Math.round(duration * fraction)));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // it finished first
      }
      const end = await finished(child);
      outcomes.push(end.signal ?? `exit ${end.code}`);
      const status = JSON.parse(
        (await runCli(['status', '--json'], { cwd: repo.root })).stdout,
      ) as { state: string };
      if (status.state === 'ready') {
        // Only a run that got to its last write may look ready, and then it is right.
        expect(installedPins(repo.root)).toEqual(await lockedPins(repo.root));
      }
      await expectValidEnv(repo);
    }
    expect(outcomes.filter((o) => o === 'SIGKILL').length).toBeGreaterThanOrEqual(
      fractions.length - 1,
    );
  });

  it('Ctrl-C stops the installer, leaves the venv not ready and exits 130', async () => {
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
    const child = startSync(repo);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // Once the marker exists the venv is being built: the interrupt lands mid-work.
    await waitFor(path.join(repo.root, 'python/.venv/.onevenv-state.json'));
    const sent = Date.now();
    process.kill(child.pid!, 'SIGINT');
    const end = await finished(child);
    expect({ ...end, stderr: stderr.split('\n').slice(-2).join('\n') }).toEqual({
      code: 130,
      signal: null,
      stderr: 'error interrupted\n',
    });
    expect(Date.now() - sent).toBeLessThan(2000);
    expect(processesMentioning(repo.root)).toEqual([]);
    const marker = JSON.parse(await repo.read('python/.venv/.onevenv-state.json'));
    expect(marker.state).toBe('installing');
    const status = await runCli(['status', '--json'], { cwd: repo.root });
    expect(JSON.parse(status.stdout).state).toBe('stale');
    expect(await leftoversBesideVenv(repo.root)).toEqual([]);
    await expectValidEnv(repo);
  });
});

describe('the environment lock', () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeRepo(
      { 'python/pyproject.toml': declaration('uv', 'lock-timeout = 1') },
      { git: true },
    );
    await writeLock(repo.root);
  });
  afterAll(() => repo.cleanup());

  function holder(pid: number, children: number[] = []): string {
    return `${JSON.stringify({ pid, host: os.hostname(), token: 'test', startedAt: '', children })}\n`;
  }

  it('held by a live process: waits, then exits 2 naming the lock and the holder', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await repo.write('python/.venv.lock', holder(sleeper.pid!));
      const before = await repo.snapshot();
      const result = await runCli(['sync'], { cwd: repo.root, env: hermeticEnv() });
      expect({ code: result.code, stderr: result.stderr }).toEqual({
        code: 2,
        stderr: [
          `waiting for onevenv (pid ${sleeper.pid}) to finish with python/.venv (lock python/.venv.lock)`,
          `error python/.venv.lock: timed out after 1 s waiting for python/.venv.lock, held by pid ${sleeper.pid} (wait for that onevenv to finish or stop it; [tool.onevenv] lock-timeout sets how long to wait)`,
          '',
        ].join('\n'),
      });
      expect(await repo.snapshot()).toEqual(before);
    } finally {
      sleeper.kill('SIGKILL');
      await finished(sleeper);
    }
  });

  it('left by a dead holder: taken over, its orphaned children stopped', async () => {
    const dead = spawn('true', [], { stdio: 'ignore' });
    await finished(dead);
    // One child the holder recorded (its process group), one it did not get to record
    // (found by the token in its environment).
    const recorded = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    const unrecorded = spawn('sleep', ['61'], {
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, ONEVENV_LOCK_TOKEN: 'test' },
    });
    const ends = Promise.all([finished(recorded), finished(unrecorded)]);
    await repo.write('python/.venv.lock', holder(dead.pid!, [recorded.pid!]));
    const result = await runCli(['sync', '--json'], { cwd: repo.root, env: hermeticEnv() });
    expect(result.code).toBe(0);
    expect(await ends).toEqual([
      { code: null, signal: 'SIGKILL' },
      { code: null, signal: 'SIGKILL' },
    ]);
    expect(await repo.exists('python/.venv.lock')).toBe(false);
    await expectValidEnv(repo);
  });
});
