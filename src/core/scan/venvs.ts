import { type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import { drainQueue } from './pool.js';

/**
 * Venvs are usually gitignored, so the file list does not show them. A walk bounded in
 * depth finds the common layouts ('.venv', 'scripts/.venv', 'services/api/.venv')
 * without reading a whole monorepo; venvs deeper than that are found when a reference
 * names them (see `existingVenvs`).
 */
export const VENV_MAX_DEPTH = 3;

const VENV_WALK_CONCURRENCY = 16;

/** Never holds a venv of the repository worth reporting, and can be huge. */
const SKIP_DIRECTORIES = new Set(['.git', 'node_modules']);

/** Repo-relative directories (at most `maxDepth` segments) that hold a pyvenv.cfg. */
export async function findVenvDirs(root: string, maxDepth = VENV_MAX_DEPTH): Promise<string[]> {
  const found: string[] = [];
  await drainQueue([{ dir: '', depth: 0 }], VENV_WALK_CONCURRENCY, async (item, push) => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.join(root, item.dir), { withFileTypes: true });
    } catch {
      return;
    }
    if (item.dir !== '' && entries.some((e) => e.name === 'pyvenv.cfg' && !e.isDirectory())) {
      // A venv: report it and do not descend into its site-packages.
      found.push(item.dir);
      return;
    }
    if (item.depth >= maxDepth) return;
    for (const entry of entries) {
      // Symlinked directories are not followed: no loops, no venvs counted twice.
      if (!entry.isDirectory() || SKIP_DIRECTORIES.has(entry.name)) continue;
      const dir = item.dir === '' ? entry.name : `${item.dir}/${entry.name}`;
      push({ dir, depth: item.depth + 1 });
    }
  });
  return found;
}

/** Of the repo-relative `candidates`, those that are venv directories on disk. */
export async function existingVenvs(root: string, candidates: Iterable<string>): Promise<string[]> {
  const checks = [...new Set(candidates)]
    .filter((dir) => dir !== '.' && !dir.startsWith('../') && !path.isAbsolute(dir))
    .map(async (dir) => {
      try {
        const stat = await fs.stat(path.join(root, dir, 'pyvenv.cfg'));
        return stat.isFile() ? dir : undefined;
      } catch {
        return undefined;
      }
    });
  return (await Promise.all(checks)).filter((dir): dir is string => dir !== undefined);
}
