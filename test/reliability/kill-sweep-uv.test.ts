import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempRepo } from '../helpers/repo.js';
import { seedFrom } from './support.js';
import { killSweep, measureColdSync, sweepRepo } from './sweep.js';

/**
 * Issue acceptance, kill sweep (uv): a cold sync of a 21-package hermetic lock killed as a
 * whole process group at 25 seeded moments over its measured duration, once with SIGKILL
 * and once with SIGINT. RELIABILITY_SEED replays another schedule.
 */

const MOMENTS = 25;
const seed = seedFrom('RELIABILITY_SEED', 9001);

describe('uv: kill sweep of a cold sync', () => {
  let repo: TempRepo;
  let durationMs: number;
  beforeAll(async () => {
    repo = await sweepRepo('uv');
    durationMs = await measureColdSync(repo);
  });
  afterAll(() => repo.cleanup());

  it('SIGKILL at 25 moments: never ready after a kill, the next sync recovers every time', async () => {
    const counts = await killSweep(repo, { signal: 'SIGKILL', seed, count: MOMENTS, durationMs });
    expect(counts.recoveries).toBe(MOMENTS);
    // Moments are tried again earlier when a run ends first: each lands on a running sync.
    expect(counts.killed).toBe(MOMENTS);
  }, 600_000);

  it('SIGINT at 25 moments: exit 130 within 2 s, no child left, the next sync recovers', async () => {
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
