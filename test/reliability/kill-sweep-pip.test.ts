import { seedFrom } from './support.js';
import { describeKillSweep } from './sweep.js';

/**
 * Issue acceptance, kill sweep (pip, smaller: a pip sync takes several times as long as
 * uv's): the same 21-package lock killed as a whole process group at 6 seeded moments,
 * once with SIGKILL and once with SIGINT. RELIABILITY_SEED replays another schedule.
 */
describeKillSweep('pip', 6, seedFrom('RELIABILITY_SEED', 9101));
