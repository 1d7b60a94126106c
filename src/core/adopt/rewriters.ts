import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AdapterName } from '../../adapters/types.js';
import type { Rewriter, RewriterModule } from './types.js';

/**
 * The rewriter of each adapter lives in `src/adapters/<name>/rewrite.ts` and exports
 * `rewriter: Rewriter` (see types.ts). Adding that file is all it takes: nothing to
 * register. An adapter without one has its references reported as not rewritten yet.
 * Loaded lazily, so `scan` and the other commands never pay for them.
 */

const cache = new Map<AdapterName, Promise<Rewriter | undefined>>();

/** The module's URL, or undefined when the adapter has no rewriter. */
function moduleUrl(name: AdapterName): string | undefined {
  const base = new URL(`../../adapters/${name}/rewrite`, import.meta.url).href;
  // Built output has .js; tests run the TypeScript sources.
  return ['.js', '.ts'].map((ext) => `${base}${ext}`).find((url) => existsSync(fileURLToPath(url)));
}

async function load(name: AdapterName): Promise<Rewriter | undefined> {
  const url = moduleUrl(name);
  if (url === undefined) return undefined;
  const loaded = (await import(/* @vite-ignore */ url)) as Partial<RewriterModule>;
  const rewriter = loaded.rewriter;
  if (!rewriter || typeof rewriter.rewrite !== 'function') {
    throw new Error(`src/adapters/${name}/rewrite.ts does not export a rewriter`);
  }
  return rewriter;
}

/** The rewriter of `name`, or undefined when that adapter has none yet. */
export function loadRewriter(name: AdapterName): Promise<Rewriter | undefined> {
  let pending = cache.get(name);
  if (!pending) {
    pending = load(name);
    cache.set(name, pending);
  }
  return pending;
}
