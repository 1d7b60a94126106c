import os from 'node:os';
import path from 'node:path';

/**
 * onevenv's own cache (import proofs, interpreter facts): `$ONEVENV_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/onevenv`, else `~/.cache/onevenv`. Everything in it can be deleted.
 */
export function onevenvCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONEVENV_CACHE_DIR) return path.resolve(env.ONEVENV_CACHE_DIR);
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) {
    return path.join(env.XDG_CACHE_HOME, 'onevenv');
  }
  return path.join(os.homedir(), '.cache', 'onevenv');
}
