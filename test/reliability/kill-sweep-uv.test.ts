import { seedFrom } from './support.js';
import { describeKillSweep } from './sweep.js';

/**
 * Issue acceptance, kill sweep (uv): a cold sync of a 21-package hermetic lock killed as a
 * whole process group at 25 seeded moments over its measured duration, once with SIGKILL
 * and once with SIGINT. RELIABILITY_SEED replays another schedule.
 */
describeKillSweep('uv', 25, seedFrom('RELIABILITY_SEED', 9001));
