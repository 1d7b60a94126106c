import path from 'node:path';
import { CONFIG_FILE } from '../root.js';
import { hashFileSync } from './marker.js';
import { canonicalRoot, type QuickCheck, quickCheck } from './quick.js';

/**
 * The venv path for `which` and `run`, from the no-op path's guess when the marker found
 * there vouches for it (written for these exact declaration bytes), else from the parsed
 * declaration.
 */
export async function locateVenv(
  cwd: string,
): Promise<{ root: string; venv: string; quick: QuickCheck }> {
  const quick = quickCheck(cwd, { frozen: false });
  if (quick.root && quick.venv && quick.marker && quick.marker.venv === quick.venv) {
    const configPath = path.join(quick.root, CONFIG_FILE);
    const recorded = quick.marker.inputs[configPath];
    if (recorded !== undefined && recorded === hashFileSync(configPath)) {
      return { root: quick.root, venv: quick.venv, quick };
    }
  }
  const { requireRepoRoot } = await import('../root.js');
  const { loadConfig } = await import('../config.js');
  const config = await loadConfig(canonicalRoot(requireRepoRoot(cwd)));
  return { root: config.root, venv: config.venv, quick };
}
