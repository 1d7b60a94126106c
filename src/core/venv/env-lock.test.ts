import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { UserError } from '../../util/errors.js';
import { acquireEnvLock, holderIsDead, parseHolder, readLockHolder } from './env-lock.js';

let dir: string;
let lockPath: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-envlock-'));
  lockPath = path.join(dir, '.venv.lock');
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

it('creates the lock with our pid, records children, removes it on release', async () => {
  const lock = await acquireEnvLock(lockPath, { timeoutSeconds: 1 });
  const holder = await readLockHolder(lockPath);
  expect(holder).toMatchObject({ pid: process.pid, host: os.hostname(), children: [] });
  await lock.recordChildren([4242]);
  expect((await readLockHolder(lockPath))?.children).toEqual([4242]);
  await lock.release();
  expect(await fs.readdir(dir)).toEqual([]);
});

it('a second acquirer waits, is told who holds it, and gets it after release', async () => {
  const first = await acquireEnvLock(lockPath, { timeoutSeconds: 1 });
  const waits: number[] = [];
  const second = acquireEnvLock(lockPath, {
    timeoutSeconds: 10,
    pollMs: 10,
    onWait: (holder) => waits.push(holder.pid),
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await first.release();
  const lock = await second;
  expect(waits).toEqual([process.pid]);
  await lock.release();
});

it('times out with exit 2 naming the lock file and the holder', async () => {
  const first = await acquireEnvLock(lockPath, { timeoutSeconds: 1 });
  try {
    const error = await acquireEnvLock(lockPath, {
      timeoutSeconds: 0.2,
      pollMs: 10,
      display: (file) => path.basename(file),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toBe(
      `timed out after 0.2 s waiting for .venv.lock, held by pid ${process.pid}`,
    );
  } finally {
    await first.release();
  }
});

it('takes over a lock whose holder is dead, and one that is unparsable and old', async () => {
  const pid = await deadPid();
  await fs.writeFile(lockPath, JSON.stringify({ pid, host: os.hostname(), token: 'old' }));
  const lock = await acquireEnvLock(lockPath, { timeoutSeconds: 1 });
  expect((await readLockHolder(lockPath))?.pid).toBe(process.pid);
  await lock.release();

  await fs.writeFile(lockPath, '{"pid": 1');
  const old = new Date(Date.now() - 60_000);
  await fs.utimes(lockPath, old, old);
  const again = await acquireEnvLock(lockPath, { timeoutSeconds: 1 });
  await again.release();
  expect(await fs.readdir(dir)).toEqual([]);
});

it('concurrent acquirers never hold it at once', async () => {
  let inside = 0;
  let maxInside = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      const lock = await acquireEnvLock(lockPath, { timeoutSeconds: 20, pollMs: 5 });
      inside++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inside--;
      await lock.release();
    }),
  );
  expect(maxInside).toBe(1);
});

it('a holder on another host is never declared dead; a dead local pid is', async () => {
  const pid = await deadPid();
  expect(
    holderIsDead({
      pid,
      host: 'elsewhere.invalid',
      procStart: undefined,
      startedAt: '',
      token: 't',
      children: [],
    }),
  ).toBe(false);
  expect(
    holderIsDead({
      pid,
      host: os.hostname(),
      procStart: undefined,
      startedAt: '',
      token: 't',
      children: [],
    }),
  ).toBe(true);
  expect(
    holderIsDead({
      pid: process.pid,
      host: os.hostname(),
      procStart: undefined,
      startedAt: '',
      token: 't',
      children: [],
    }),
  ).toBe(false);
  expect(parseHolder('not json')).toBeUndefined();
});
