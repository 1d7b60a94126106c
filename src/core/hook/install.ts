import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../util/errors.js';
import { runProcess } from '../../util/exec.js';
import { pathExists, readTextIfExists, writeFileAtomic } from '../../util/fs.js';
import { CONFIG_FILE } from '../root.js';
import { CHAINED_SUFFIX, HOOK_NAME, isOnevenvHook, renderHook } from './script.js';

export const SETUP_SCRIPT = 'python/setup.sh';
const DEFAULT_LOCK = 'python/requirements.txt';

export interface HookResult {
  action: 'installed' | 'updated' | 'unchanged' | 'removed' | 'absent' | 'foreign';
  /** Absolute path of the hook file. */
  hook: string;
  /** Absolute path of the user's own hook that ours runs first, when there is one. */
  chained: string | undefined;
  /** False when python/pyproject.toml does not exist yet (the hook waits for setup.sh). */
  configured: boolean;
}

/** Where git runs hooks from: honours core.hooksPath, shared by every worktree. */
export async function hooksDirectory(root: string): Promise<string> {
  let result: Awaited<ReturnType<typeof runProcess>>;
  try {
    result = await runProcess('git', ['rev-parse', '--git-path', 'hooks'], {
      cwd: root,
      timeoutMs: 30_000,
    });
  } catch (error) {
    throw new UserError(`cannot run git: ${(error as Error).message}`, {
      fix: 'install git and make sure it is on PATH',
    });
  }
  if (result.code !== 0) {
    throw new UserError(`${root} is not a git repository (git: ${result.stderr.trim()})`, {
      fix: 'git hooks need a git repository: run onevenv hook install inside one',
    });
  }
  return path.resolve(root, result.stdout.trim());
}

/** The repo-relative files the hook compares between two commits. */
async function watchedFiles(root: string): Promise<{ watched: string[]; configured: boolean }> {
  if (!(await pathExists(path.join(root, CONFIG_FILE)))) {
    return { watched: [DEFAULT_LOCK, CONFIG_FILE, SETUP_SCRIPT], configured: false };
  }
  const { loadConfig, relativeToRoot } = await import('../config.js');
  const config = await loadConfig(root);
  const lock = relativeToRoot(config, config.lock);
  const inside = !lock.startsWith('../') && !path.isAbsolute(lock);
  return {
    watched: [...(inside ? [lock] : []), CONFIG_FILE, SETUP_SCRIPT],
    configured: true,
  };
}

export async function installHook(root: string): Promise<HookResult> {
  const dir = await hooksDirectory(root);
  const hook = path.join(dir, HOOK_NAME);
  const chainedPath = `${hook}${CHAINED_SUFFIX}`;
  const { watched, configured } = await watchedFiles(root);
  const text = renderHook({ watched, setupScript: SETUP_SCRIPT });
  const chained = (await pathExists(chainedPath)) ? chainedPath : undefined;
  const existing = await readTextIfExists(hook);
  if (existing !== undefined && isOnevenvHook(existing)) {
    const mode = (await fs.stat(hook)).mode & 0o777;
    if (existing === text && (mode & 0o111) !== 0) {
      return { action: 'unchanged', hook, chained, configured };
    }
    await writeFileAtomic(hook, text);
    await fs.chmod(hook, mode | 0o755);
    return { action: 'updated', hook, chained, configured };
  }
  if (existing !== undefined) {
    if (chained) {
      throw new UserError(
        `${hook} is not onevenv's, and ${path.basename(chainedPath)} already exists beside it`,
        { fix: `merge the two by hand or remove one of them, then run onevenv hook install` },
      );
    }
    // A second name first, then ours renamed over the first: at every moment one of the
    // two hooks is in place, and the user's keeps its bytes, mode or symlink.
    await fs.link(hook, chainedPath);
    await writeFileAtomic(hook, text);
    await fs.chmod(hook, 0o755);
    return { action: 'installed', hook, chained: chainedPath, configured };
  }
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(hook, text, { mode: 0o755 });
  await fs.chmod(hook, 0o755);
  return { action: 'installed', hook, chained, configured };
}

export async function uninstallHook(root: string): Promise<HookResult> {
  const dir = await hooksDirectory(root);
  const hook = path.join(dir, HOOK_NAME);
  const chainedPath = `${hook}${CHAINED_SUFFIX}`;
  const configured = await pathExists(path.join(root, CONFIG_FILE));
  const existing = await readTextIfExists(hook);
  const chained = (await pathExists(chainedPath)) ? chainedPath : undefined;
  if (existing === undefined) return { action: 'absent', hook, chained, configured };
  if (!isOnevenvHook(existing)) return { action: 'foreign', hook, chained, configured };
  if (chained) await fs.rename(chainedPath, hook);
  else await fs.rm(hook);
  return { action: 'removed', hook, chained, configured };
}
