import path from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../../util/fs.js';
import type { OnevenvConfig } from '../config.js';
import { generateSetupScript } from './generate.js';

/**
 * python/setup.sh embeds the declaration it was generated from (and refuses to build
 * from a declaration edited since), so whatever rewrites the lock regenerates the script
 * too: a repository where onevenv has a setup.sh keeps it current. A repository without
 * one is left without one; `adopt` is what creates it.
 */
export async function refreshSetupScript(config: OnevenvConfig): Promise<boolean> {
  const target = path.join(config.configDir, 'setup.sh');
  const current = await readTextIfExists(target);
  if (current === undefined) return false;
  const next = generateSetupScript(config);
  if (next === current) return false;
  await writeFileAtomic(target, next);
  return true;
}
