import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';

/** Where the declaration lives, relative to the repository root. */
export const CONFIG_DIR = 'python';
export const CONFIG_FILE = 'python/pyproject.toml';
export const LOCK_FILE = `${CONFIG_DIR}/requirements.txt`;
export const README_FILE = `${CONFIG_DIR}/README.md`;
export const SETUP_SCRIPT_FILE = `${CONFIG_DIR}/setup.sh`;

/** Files onevenv generates whole; scan findings in them are not consumers to move. */
export const OWN_FILES: ReadonlySet<string> = new Set([
  CONFIG_FILE,
  LOCK_FILE,
  README_FILE,
  SETUP_SCRIPT_FILE,
]);

/**
 * The repository root: the nearest directory holding `.git` (a directory, or the file a
 * worktree or submodule has), which is what `git rev-parse --show-toplevel` answers,
 * without spawning git. Outside git: the nearest directory whose python/pyproject.toml
 * declares groups or [tool.onevenv].
 */
export function findRepoRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (existsSync(candidate)) {
      try {
        const text = readFileSync(candidate, 'utf8');
        if (/^\s*\[(tool\.onevenv|dependency-groups)/m.test(text)) return dir;
      } catch {
        // unreadable: keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function requireRepoRoot(start: string): string {
  const root = findRepoRoot(start);
  if (!root) {
    throw new UserError(`no repository found at or above ${start}`, {
      fix: 'run onevenv inside a git repository, or create python/pyproject.toml',
    });
  }
  return root;
}
