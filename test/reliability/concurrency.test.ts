import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticEnv, writeLock } from '../helpers/locked-repo.js';
import { makeRepo, runCli, type TempRepo } from '../helpers/repo.js';
import {
  exited,
  expectRecovered,
  parseJson,
  processesLeft,
  report,
  signalGroup,
  sleep,
  snapshotOutsideVenv,
  startCli,
} from './support.js';
import { type Installer, sweepDeclaration } from './sweep.js';

/**
 * Issue acceptance, concurrency: 8 syncs started together on a repository without a venv,
 * round after round: every one exits 0, exactly one of them installs, the venv is valid
 * afterwards. The environment lock: a live holder makes a sync with a short timeout exit 2
 * naming the lock and the holder's pid; a holder killed mid-sync does not block the next.
 */

const SYNCS = 8;
const rounds: Record<Installer, number> = { uv: 5, pip: 2 };

describe.each(['uv', 'pip'] as const)('%s: concurrent syncs from no venv', (installer) => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeRepo({ 'python/pyproject.toml': sweepDeclaration(installer) }, { git: true });
    await writeLock(repo.root);
  });
  afterAll(() => repo.cleanup());

  it(`${SYNCS} at once, ${rounds[installer]} rounds: all exit 0, exactly one installs`, async () => {
    const before = await snapshotOutsideVenv(repo);
    let waited = 0;
    for (let round = 0; round < rounds[installer]; round++) {
      await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
      const results = await Promise.all(
        Array.from({ length: SYNCS }, () =>
          runCli(['sync', '--json'], { cwd: repo.root, env: hermeticEnv() }),
        ),
      );
      expect([round, results.map((r) => r.code)]).toEqual([round, Array(SYNCS).fill(0)]);
      const changed = results.map(
        (r) => (parseJson(r.stdout) as { changed?: boolean } | undefined)?.changed,
      );
      expect([round, changed.filter((c) => c === true).length]).toEqual([round, 1]);
      expect([round, changed.filter((c) => c === false).length]).toEqual([round, SYNCS - 1]);
      waited += results.filter((r) =>
        /waiting for onevenv \(pid \d+\) to finish with python\/\.venv \(lock python\/\.venv\.lock\)/.test(
          r.stderr,
        ),
      ).length;
      // Valid: the next sync has nothing to do, exactly the lock is installed, status ready.
      const next = await expectRecovered(repo, before);
      expect([round, next.changed]).toEqual([round, false]);
    }
    report(`concurrency ${installer}`, {
      syncsPerRound: SYNCS,
      rounds: rounds[installer],
      installsPerRound: 1,
      waitedForTheLock: waited,
    });
  }, 600_000);
});

describe('the environment lock', () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeRepo(
      { 'python/pyproject.toml': `${sweepDeclaration('uv')}lock-timeout = 1\n` },
      { git: true },
    );
    await writeLock(repo.root);
  });
  afterAll(() => repo.cleanup());

  function holder(pid: number, children: number[] = []): string {
    return `${JSON.stringify({ pid, host: os.hostname(), token: 'test', startedAt: '', children })}\n`;
  }

  it('held by a live process: a short timeout exits 2 naming the lock and the holder pid', async () => {
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
      await new Promise((resolve) => sleeper.on('close', resolve));
      await fs.rm(path.join(repo.root, 'python/.venv.lock'), { force: true });
    }
  });

  it('left by a dead holder: taken over, its orphaned children stopped', async () => {
    const dead = spawn('true', [], { stdio: 'ignore' });
    await new Promise((resolve) => dead.on('close', resolve));
    // One child the holder recorded (its process group), one it did not get to record
    // (found by the token in its environment).
    const recorded = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    const unrecorded = spawn('sleep', ['61'], {
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, ONEVENV_LOCK_TOKEN: 'test' },
    });
    const ends = Promise.all(
      [recorded, unrecorded].map(
        (child) =>
          new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))),
      ),
    );
    const before = await snapshotOutsideVenv(repo);
    await repo.write('python/.venv.lock', holder(dead.pid!, [recorded.pid!]));
    const { changed } = await expectRecovered(repo, before);
    expect(changed).toBe(true);
    expect(await ends).toEqual([
      { code: null, signal: 'SIGKILL' },
      { code: null, signal: 'SIGKILL' },
    ]);
  });

  it('a sync killed while it holds the lock does not block the next (timeout 1 s)', async () => {
    let killedHolding = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
      const before = await snapshotOutsideVenv(repo);
      const run = startCli(['sync', '--json'], { cwd: repo.root });
      // Killed once the lock file is there, i.e. while it holds the lock.
      const lock = path.join(repo.root, 'python/.venv.lock');
      const deadline = Date.now() + 60_000;
      while (!existsSync(lock) && Date.now() < deadline && !exited(run.child)) await sleep(2);
      const holding = existsSync(lock);
      if (signalGroup(run.child, 'SIGKILL') && holding) killedHolding++;
      await run.exit;
      // The next sync takes the lock over at once (waiting would time out after 1 s).
      const { changed } = await expectRecovered(repo, before);
      expect(changed).toBe(true);
      expect(await processesLeft(repo.root)).toEqual([]);
    }
    report('killed lock holders', { attempts: 3, killedHolding });
    expect(killedHolding).toBe(3);
  });
});
