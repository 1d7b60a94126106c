import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { hermeticEnv } from '../helpers/locked-repo.js';
import { cliPath, runCli, type TempRepo } from '../helpers/repo.js';
import { installedPins, leftoversBesideVenv, lockedPins } from '../helpers/venv-checks.js';

/**
 * Shared by the reliability suite: a seeded random source, starting the CLI in its own
 * process group (so a test can signal the whole group as a terminal or CI would), waiting
 * for it, finding processes it left behind, and the checks every recovery must pass.
 */

/** mulberry32: a small seeded generator, so every sweep is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` moments spread over `durationMs`: one uniformly chosen inside each of `count`
 * equal slices, so early, middle and late moments are all covered whatever the seed.
 */
export function killMoments(seed: number, count: number, durationMs: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => Math.round(((i + random()) / count) * durationMs));
}

/** A seed from FUZZ_SEED / RELIABILITY_SEED when set (to replay a failure), else `fallback`. */
export function seedFrom(variable: string, fallback: number): number {
  const value = process.env[variable];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : fallback;
}

export interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts the CLI as the leader of its own process group. */
export function startCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; hermetic?: boolean },
): Started {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: {
      ...process.env,
      NO_COLOR: '1',
      ...(options.hermetic === false ? {} : hermeticEnv()),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() }));
    },
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Signals the child's whole process group; false when it had already exited. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (exited(child)) return false;
  try {
    process.kill(-child.pid!, signal);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Live processes whose command line mentions `text` (an installer left running, say). */
export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
      if (cmdline.includes(text) && state !== 'Z') found.push(`${pid}: ${cmdline.trim()}`);
    } catch {
      // gone
    }
  }
  return found;
}

/** Waits until no process mentions `text` (orphans SIGKILLed a moment ago), up to 5 s. */
export async function processesLeft(text: string, timeoutMs = 5000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesMentioning(text);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(50);
  }
}

export interface StatusJson {
  state: 'ready' | 'stale' | 'missing';
  reasons: string[];
  pythonVersion: string | null;
  imports: { ok: boolean; failed: unknown[] } | null;
}

export async function status(root: string, env: NodeJS.ProcessEnv = {}): Promise<StatusJson> {
  const result = await runCli(['status', '--json'], { cwd: root, env });
  try {
    return JSON.parse(result.stdout) as StatusJson;
  } catch {
    throw new Error(`status --json printed no JSON (exit ${result.code}):\n${result.stderr}`);
  }
}

/** The venv's marker state as written on disk ('absent' when there is none). */
export async function markerState(root: string): Promise<string> {
  try {
    const marker = JSON.parse(
      await fs.readFile(path.join(root, 'python/.venv/.onevenv-state.json'), 'utf8'),
    ) as { state: string };
    return marker.state;
  } catch {
    return 'absent';
  }
}

/** Files a marker write or a rebuild may leave when killed, inside the venv and beside it. */
export async function tempLeftovers(root: string): Promise<string[]> {
  const out = (await leftoversBesideVenv(root)).map((entry) => `python/${entry}`);
  try {
    for (const entry of await fs.readdir(path.join(root, 'python/.venv'))) {
      if (entry.endsWith('.tmp')) out.push(`python/.venv/${entry}`);
    }
  } catch {
    // no venv
  }
  return out.sort();
}

/** Exactly the locked pins are installed and the venv's python imports the given modules. */
export async function expectLockInstalled(root: string): Promise<void> {
  expect(installedPins(root)).toEqual(await lockedPins(root));
}

/** A repository snapshot without the venv (whose contents sync owns). */
export function snapshotOutsideVenv(repo: TempRepo): Promise<Record<string, string>> {
  return repo.snapshot({ exclude: ['.git', 'python/.venv'] });
}

/**
 * The recovery every kill must allow: a plain `sync` exits 0 with every import passing,
 * exactly the lock installed, `status` ready, no temp files, no process left, and the
 * repository outside the venv as it was.
 */
export async function expectRecovered(
  repo: TempRepo,
  before: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
): Promise<{ changed: boolean }> {
  const result = await runCli(['sync', '--json'], {
    cwd: repo.root,
    env: { ...hermeticEnv(), ...env },
  });
  const json = parseJson(result.stdout) as { changed: boolean; imports: unknown } | undefined;
  expect({
    code: result.code,
    imports: json?.imports,
    stderr: result.code === 0 ? '' : result.stderr,
  }).toEqual({
    code: 0,
    imports: { ok: true, failed: [] },
    stderr: '',
  });
  await expectLockInstalled(repo.root);
  const after = await status(repo.root, env);
  expect({ state: after.state, reasons: after.reasons }).toEqual({ state: 'ready', reasons: [] });
  expect(await tempLeftovers(repo.root)).toEqual([]);
  expect(await processesLeft(repo.root)).toEqual([]);
  expect(await snapshotOutsideVenv(repo)).toEqual(before);
  return { changed: json?.changed === true };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A one-line summary that vitest prints with the test's output. */
export function report(title: string, counts: Record<string, number | string>): void {
  const parts = Object.entries(counts).map(([key, value]) => `${key}=${value}`);
  console.log(`[reliability] ${title}: ${parts.join(' ')}`);
}

/**
 * Runs `attempt(delay)` for a seeded moment, and again with a shorter delay when the run
 * ended before its moment came (the machine was faster than when the run was measured,
 * or less loaded): each moment then lands on a running process. `scale` carries the
 * correction over to the following moments.
 */
export async function killWithRetries<R extends { sent: boolean; ranMs: number }>(
  moment: number,
  durationMs: number,
  scale: { value: number },
  attempt: (delayMs: number, last: boolean) => Promise<R>,
  tries = 3,
): Promise<R & { finishedFirst: number }> {
  let finishedFirst = 0;
  for (let i = 0; ; i++) {
    const result = await attempt(Math.round(moment * scale.value), i + 1 >= tries);
    if (result.sent || i + 1 >= tries) return { ...result, finishedFirst };
    finishedFirst++;
    scale.value = Math.min(scale.value, (0.9 * result.ranMs) / durationMs);
  }
}
