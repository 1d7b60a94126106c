import { type Dirent, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { runProcess } from '../../util/exec.js';
import { log } from '../../util/log.js';
import { type IgnoreFile, isIgnored, parseIgnoreFile } from './gitignore.js';
import { drainQueue } from './pool.js';

export interface FileListing {
  /** Repo-relative, '/'-separated, unique, files inside venvs left out. */
  files: string[];
  discovery: 'git' | 'walk';
  /** Venv directories (holding pyvenv.cfg) met while listing: unignored ones. */
  venvs: string[];
}

const WALK_CONCURRENCY = 16;

/** git's own directory, of this repository or a nested one. */
const NEVER_ENTER = new Set(['.git']);

/**
 * Every file git tracks plus the untracked ones it does not ignore, in one spawn;
 * outside git (or when git cannot answer) a walk that honours .gitignore files.
 */
export async function listFiles(root: string): Promise<FileListing> {
  if (existsSync(path.join(root, '.git'))) {
    const files = await listWithGit(root);
    if (files) return withoutVenvContents(files, 'git');
  }
  return walkFiles(root);
}

async function listWithGit(root: string): Promise<string[] | undefined> {
  let result: Awaited<ReturnType<typeof runProcess>>;
  try {
    result = await runProcess('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
      cwd: root,
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      log.debug('git is not installed: walking the tree instead');
      return undefined;
    }
    throw error;
  }
  if (result.code !== 0) {
    const reason = result.stderr.trim().split('\n')[0] ?? `exit ${result.code}`;
    log.warn(`git ls-files failed (${reason}); walking the tree instead`);
    return undefined;
  }
  const files = new Set<string>();
  for (const entry of result.stdout.split('\0')) {
    // An untracked nested repository is listed as 'dir/': not a file.
    if (entry === '' || entry.endsWith('/')) continue;
    files.add(entry);
  }
  return [...files];
}

/**
 * A venv git does not ignore is still not a consumer: its activate scripts and
 * site-packages would drown the report. Its pyvenv.cfg marks it.
 */
function withoutVenvContents(files: string[], discovery: 'git' | 'walk'): FileListing {
  const venvs = new Set<string>();
  for (const file of files) {
    if (file.endsWith('/pyvenv.cfg')) venvs.add(file.slice(0, -'/pyvenv.cfg'.length));
  }
  if (venvs.size === 0) return { files, discovery, venvs: [] };
  const kept = files.filter((file) => {
    for (let i = file.indexOf('/'); i !== -1; i = file.indexOf('/', i + 1)) {
      if (venvs.has(file.slice(0, i))) return false;
    }
    return true;
  });
  return { files: kept, discovery, venvs: [...venvs] };
}

interface WalkItem {
  dir: string;
  ignores: IgnoreFile[];
}

async function walkFiles(root: string): Promise<FileListing> {
  const files: string[] = [];
  const venvs: string[] = [];
  await drainQueue<WalkItem>([{ dir: '', ignores: [] }], WALK_CONCURRENCY, async (item, push) => {
    const absolute = path.join(root, item.dir);
    let entries: Dirent[];
    try {
      entries = await fs.readdir(absolute, { withFileTypes: true });
    } catch {
      return;
    }
    if (item.dir !== '' && entries.some((e) => e.name === 'pyvenv.cfg' && !e.isDirectory())) {
      venvs.push(item.dir);
      return;
    }
    let ignores = item.ignores;
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        const text = await fs.readFile(path.join(absolute, '.gitignore'), 'utf8');
        ignores = [...ignores, parseIgnoreFile(text, item.dir)];
      } catch {
        // unreadable .gitignore: git would not honour it either
      }
    }
    for (const entry of entries) {
      const relative = item.dir === '' ? entry.name : `${item.dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (NEVER_ENTER.has(entry.name)) continue;
        if (!isIgnored(ignores, relative, true)) push({ dir: relative, ignores });
      } else if (!isIgnored(ignores, relative, false)) {
        files.push(relative);
      }
    }
  });
  return { files, discovery: 'walk', venvs };
}
