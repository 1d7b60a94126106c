import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLock } from '../helpers/locked-repo.js';
import { makeRepo, type TempRepo } from '../helpers/repo.js';
import { installedPins, lockedPins } from '../helpers/venv-checks.js';
import {
  expectRecovered,
  killMoments,
  killWithRetries,
  markerState,
  processesLeft,
  report,
  signalGroup,
  sleep,
  snapshotOutsideVenv,
  startCli,
  status,
} from './support.js';

/**
 * The kill sweep: a cold `sync` of a 21-package lock, killed (its whole process group) at
 * moments spread over its measured duration, then recovered by the next `sync`.
 */

export type Installer = 'uv' | 'pip';

/** tiny-sitter-cpp → tiny-sitter; many → 14 fillers; gamma → beta → alpha; twomods. */
export function sweepDeclaration(installer: Installer): string {
  return [
    '[project]',
    'name = "sweep"',
    'version = "0"',
    'requires-python = ">=3.10"',
    '',
    '[dependency-groups]',
    'trace = ["tiny-sitter-cpp>=0.22"]',
    'fill = ["many"]',
    'tools = ["gamma", "twomods"]',
    '',
    '[tool.onevenv]',
    `installer = "${installer}"`,
    '',
  ].join('\n');
}

export async function sweepRepo(installer: Installer): Promise<TempRepo> {
  const repo = await makeRepo(
    { 'python/pyproject.toml': sweepDeclaration(installer), 'README.md': '# sweep\n' },
    { git: true },
  );
  await writeLock(repo.root);
  return repo;
}

async function removeVenv(repo: TempRepo): Promise<void> {
  await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
}

/**
 * The shortest wall time of `runs` cold syncs run to the end (each must succeed): the
 * first run fills the installer's cache, and a moment past the end kills nothing.
 */
export async function measureColdSync(repo: TempRepo, runs = 3): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await removeVenv(repo);
    const started = Date.now();
    const run = startCli(['sync', '--json'], { cwd: repo.root });
    const end = await run.exit;
    expect({ code: end.code, stderr: end.code === 0 ? '' : run.stderr() }).toEqual({
      code: 0,
      stderr: '',
    });
    times.push(end.at - started);
  }
  return Math.min(...times);
}

export interface SweepCounts {
  killed: number;
  /** Runs that ended before their moment came (the moment is then tried again earlier). */
  finishedFirst: number;
  /** Killed after it had marked the venv ready: status may say ready, and the venv is right. */
  killedAfterReady: number;
  /** SIGINT: exited 130 through onevenv's handler. */
  exit130: number;
  /** SIGINT before node had installed the handler: died of the signal (a shell shows 130). */
  diedOfSigint: number;
  recoveries: number;
  slowestInterruptMs: number;
}

/**
 * One sweep: for each moment, a cold sync killed with `signal` at that moment; after each
 * kill `status` must not say ready (unless the run had written its ready marker, and then
 * the venv must be exactly the lock), and the next `sync` must recover completely.
 */
export async function killSweep(
  repo: TempRepo,
  options: { signal: 'SIGKILL' | 'SIGINT'; seed: number; count: number; durationMs: number },
): Promise<SweepCounts> {
  const before = await snapshotOutsideVenv(repo);
  const counts: SweepCounts = {
    killed: 0,
    finishedFirst: 0,
    killedAfterReady: 0,
    exit130: 0,
    diedOfSigint: 0,
    recoveries: 0,
    slowestInterruptMs: 0,
  };
  const moments = killMoments(options.seed, options.count, options.durationMs);
  const scale = { value: 1 };
  for (const [index, moment] of moments.entries()) {
    const where = `${options.signal} #${index} at ${moment} ms (seed ${options.seed})`;
    const outcome = await killWithRetries(moment, options.durationMs, scale, async (delay) => {
      await removeVenv(repo);
      const startedAt = Date.now();
      const run = startCli(['sync', '--json'], { cwd: repo.root });
      await sleep(delay);
      const sentAt = Date.now();
      const sent = signalGroup(run.child, options.signal);
      const end = await run.exit;
      // A run that ended first must have succeeded.
      if (!sent) expect([where, end.code]).toEqual([where, 0]);
      return { sent, ranMs: end.at - startedAt, run, end, sentAt };
    });
    const { sent, run, end, sentAt } = outcome;
    counts.finishedFirst += outcome.finishedFirst;
    if (!sent) {
      counts.finishedFirst++;
    } else {
      counts.killed++;
      if (options.signal === 'SIGINT') {
        const took = end.at - sentAt;
        counts.slowestInterruptMs = Math.max(counts.slowestInterruptMs, took);
        // Within 2 s, and no child of it still running.
        expect([where, took <= 2000]).toEqual([where, true]);
        expect([where, await processesLeft(repo.root, 1000)]).toEqual([where, []]);
        if (end.code === 130) {
          counts.exit130++;
          expect([where, run.stderr().endsWith('error interrupted\n')]).toEqual([where, true]);
        } else if (end.signal === 'SIGINT') {
          counts.diedOfSigint++;
        } else {
          // The interrupt came after the last step: the run completed.
          expect([where, end.code, run.stderr()]).toEqual([where, 0, expect.any(String)]);
        }
      }
      const state = await status(repo.root);
      if (state.state === 'ready') {
        // Only a run that had written its ready marker may look ready, and then it is right.
        counts.killedAfterReady++;
        expect([where, await markerState(repo.root)]).toEqual([where, 'ready']);
        expect([where, installedPins(repo.root)]).toEqual([where, await lockedPins(repo.root)]);
      } else {
        expect([where, state.reasons.length > 0]).toEqual([where, true]);
      }
    }
    try {
      await expectRecovered(repo, before);
    } catch (error) {
      (error as Error).message = `${where}: ${(error as Error).message}`;
      throw error;
    }
    counts.recoveries++;
  }
  report(`kill sweep ${options.signal}`, {
    moments: moments.length,
    seed: options.seed,
    measuredMs: options.durationMs,
    finalScale: scale.value.toFixed(2),
    ...counts,
  });
  return counts;
}

/**
 * The sweep as a test block: `moments` seeded moments of a cold sync with `installer`,
 * killed once with SIGKILL (schedule `seed`) and once with SIGINT (schedule `seed + 1`).
 */
export function describeKillSweep(installer: Installer, moments: number, seed: number): void {
  describe(`${installer}: kill sweep of a cold sync`, () => {
    let repo: TempRepo;
    let durationMs: number;
    beforeAll(async () => {
      repo = await sweepRepo(installer);
      durationMs = await measureColdSync(repo);
    });
    afterAll(() => repo.cleanup());

    it(`SIGKILL at ${moments} moments: never ready after a kill, the next sync recovers every time`, async () => {
      const counts = await killSweep(repo, {
        signal: 'SIGKILL',
        seed,
        count: moments,
        durationMs,
      });
      expect(counts.recoveries).toBe(moments);
      // Moments are tried again earlier when a run ends first: each lands on a running sync.
      expect(counts.killed).toBe(moments);
    }, 600_000);

    it(`SIGINT at ${moments} moments: exit 130 within 2 s, no child left, the next sync recovers`, async () => {
      const counts = await killSweep(repo, {
        signal: 'SIGINT',
        seed: seed + 1,
        count: moments,
        durationMs,
      });
      expect(counts.recoveries).toBe(moments);
      expect(counts.killed).toBe(moments);
      // Each interrupt ended as exit 130, death by the signal before the handler was
      // installed, or a run already past its last step (each checked as it happened).
      expect(counts.exit130).toBeGreaterThan(0);
    }, 600_000);
  });
}
