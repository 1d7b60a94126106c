import { promises as fs } from 'node:fs';
import path from 'node:path';
import { rewriter as gitignoreRewriter } from '../../src/adapters/gitignore/rewrite.js';
import type { AdapterName } from '../../src/adapters/types.js';
import type { Rewriter } from '../../src/core/adopt/types.js';
import { makeRepo, projectRoot, type TempRepo } from '../helpers/repo.js';

/** Every file under `dir` (relative to the project), as text keyed by '/'-separated path. */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const base = path.join(projectRoot, dir);
  const files: Record<string, string> = {};
  async function walk(current: string): Promise<void> {
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else
        files[path.relative(base, full).split(path.sep).join('/')] = await fs.readFile(
          full,
          'utf8',
        );
    }
  }
  await walk(base);
  return files;
}

/**
 * A copy of a before-state repository in a git repository named `name` (the generated
 * project name comes from it). The bundled example keeps its .gitignore as `gitignore`
 * (npm does not ship .gitignore files); the copy gets it back under its own name.
 */
export async function beforeRepo(dir: string, name: string): Promise<TempRepo> {
  const files = await readTree(dir);
  if (files.gitignore !== undefined && files['.gitignore'] === undefined) {
    files['.gitignore'] = files.gitignore;
    delete files.gitignore;
  }
  return makeRepo(files, { git: true, name });
}

/**
 * Only the rewriters of the adopt core itself: what adopt writes then does not depend on
 * the per-adapter rewriters (each tested on its own), so whole files can be asserted.
 */
export const coreRewriters: ReadonlyMap<AdapterName, Rewriter> = new Map([
  ['gitignore', gitignoreRewriter],
]);

/** Files added, changed and removed between two snapshots. */
export function changes(before: Record<string, string>, after: Record<string, string>) {
  const added = Object.keys(after).filter((file) => !(file in before));
  const removed = Object.keys(before).filter((file) => !(file in after));
  const changed = Object.keys(after).filter(
    (file) => file in before && before[file] !== after[file],
  );
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}
