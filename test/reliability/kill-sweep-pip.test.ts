import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempRepo } from '../helpers/repo.js';
import { seedFrom } from './support.js';
import { killSweep, measureColdSync, sweepRepo } from './sweep.js';

/**
 * Issue acceptance, kill sweep (pip, smaller: a pip sync takes several times as long as
 * uv's): the same 21-package lock killed as a whole process group at 6 seeded moments,
 * once with SIGKILL and once with SIGINT. RELIABILITY_SEED replays another schedule.
 */

const MOMENTS = 6;
const seed = seedFrom('RELIABILITY_SEED', 9101);

describe('pip: kill sweep of a cold sync', () => {
  let repo: TempRepo;
  let durationMs: number;
  beforeAll(async () => {
    repo = await sweepRepo('pip');
    durationMs = await measureColdSync(repo);
  });
  afterAll(() => repo.cleanup());

  it('SIGKILL at 6 moments: never ready after a kill, the next sync recovers every time', async () => {
    const counts = await killSweep(repo, { signal: 'SIGKILL', seed, count: MOMENTS, durationMs });
    expect(counts.recoveries).toBe(MOMENTS);
    // The schedule lies inside the run: most moments must land on a running sync.
    // Moments are tried again earlier when a run ends first: each lands on a running sync.
    expect(counts.killed).toBe(MOMENTS);
  }, 600_000);

  it('SIGINT at 6 moments: exit 130 within 2 s, no child left, the next sync recovers', async () => {
    const counts = await killSweep(repo, {
      signal: 'SIGINT',
      seed: seed + 1,
      count: MOMENTS,
      durationMs,
    });
    expect(counts.recoveries).toBe(MOMENTS);
    expect(counts.killed).toBe(MOMENTS);
    // Each interrupt ended as exit 130, death by the signal before the handler was
    // installed, or a run already past its last step (each checked as it happened).
    expect(counts.exit130).toBeGreaterThan(0);
  }, 600_000);
});
