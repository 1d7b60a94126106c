import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureWheelhouse } from './wheelhouse.js';

export default async function setup(): Promise<() => Promise<void>> {
  await ensureWheelhouse();
  // sync remembers passed import checks in the user's cache: the suite has its own, so a
  // developer's cache neither changes what a test sees nor fills with test proofs.
  const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-test-cache-'));
  process.env.ONEVENV_CACHE_DIR = cache;
  return () => fs.rm(cache, { recursive: true, force: true });
}
