import fs, { type Dirent } from 'node:fs';
import path from 'node:path';

/**
 * Venvs are usually gitignored, so the file list does not show them. A walk bounded in
 * depth finds the common layouts ('.venv', 'scripts/.venv', 'services/api/.venv')
 * without reading a whole monorepo; venvs deeper than that are found when a reference
 * names them (see `existingVenvs`).
 */
export const VENV_MAX_DEPTH = 3;

/** Never holds a venv of the repository worth reporting, and can be huge. */
const SKIP_DIRECTORIES = new Set(['.git', 'node_modules']);

function readdir(dir: string): Dirent[] | undefined {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
}

function holdsVenvConfig(dir: string): boolean {
  try {
    const stats = fs.lstatSync(path.join(dir, 'pyvenv.cfg'), { throwIfNoEntry: false });
    return stats !== undefined && !stats.isDirectory();
  } catch {
    return false;
  }
}

export interface VenvWalkOptions {
  maxDepth?: number;
  /**
   * Directories that directly hold files the listing found. At the deepest level these
   * are taken as no venv without a look: a venv's own top-level files are ignored
   * together (pyvenv.cfg with them), or pyvenv.cfg is listed and the listing shows the
   * venv. Checking each of them (every source directory of a monorepo, three levels
   * down) was most of the walk's cost.
   */
  listed?: ReadonlySet<string>;
}

/**
 * Repo-relative directories (at most `maxDepth` segments) that hold a pyvenv.cfg.
 * Synchronous, like the scan's reads: a few thousand directory reads on a warm cache cost
 * less than the main-thread overhead of as many asynchronous calls.
 */
export function findVenvDirs(root: string, options: VenvWalkOptions = {}): string[] {
  const maxDepth = options.maxDepth ?? VENV_MAX_DEPTH;
  const found: string[] = [];
  const queue: Array<{ dir: string; depth: number }> = [{ dir: '', depth: 0 }];
  for (let item = queue.pop(); item !== undefined; item = queue.pop()) {
    const absolute = path.join(root, item.dir);
    if (item.dir !== '' && item.depth >= maxDepth) {
      if (!options.listed?.has(item.dir) && holdsVenvConfig(absolute)) found.push(item.dir);
      continue;
    }
    const entries = readdir(absolute);
    if (!entries) continue;
    if (item.dir !== '' && entries.some((e) => e.name === 'pyvenv.cfg' && !e.isDirectory())) {
      // A venv: report it and do not descend into its site-packages.
      found.push(item.dir);
      continue;
    }
    if (item.depth >= maxDepth) continue;
    for (const entry of entries) {
      // Symlinked directories are not followed: no loops, no venvs counted twice.
      if (!entry.isDirectory() || SKIP_DIRECTORIES.has(entry.name)) continue;
      const dir = item.dir === '' ? entry.name : `${item.dir}/${entry.name}`;
      queue.push({ dir, depth: item.depth + 1 });
    }
  }
  return found.sort();
}

/** Of the repo-relative `candidates`, those that are venv directories on disk. */
export async function existingVenvs(root: string, candidates: Iterable<string>): Promise<string[]> {
  const checks = [...new Set(candidates)]
    .filter((dir) => dir !== '.' && !dir.startsWith('../') && !path.isAbsolute(dir))
    .map(async (dir) => {
      try {
        const stat = await fs.promises.stat(path.join(root, dir, 'pyvenv.cfg'));
        return stat.isFile() ? dir : undefined;
      } catch {
        return undefined;
      }
    });
  return (await Promise.all(checks)).filter((dir): dir is string => dir !== undefined);
}
