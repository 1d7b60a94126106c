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
 * Every file git tracks plus the untracked ones it does not ignore; outside git (or when
 * git cannot answer) a walk that honours .gitignore files.
 */
export async function listFiles(root: string): Promise<FileListing> {
  const staged = listFilesStaged(root);
  const [first, rest] = await Promise.all([staged.first, staged.rest]);
  if (rest.files.length === 0 && rest.venvs.length === 0) return first;
  return {
    files: [...outsideVenvs(first.files, rest.venvs), ...rest.files],
    discovery: first.discovery,
    venvs: [...first.venvs, ...rest.venvs],
  };
}

/** `files` without those inside one of `venvs`. */
export function outsideVenvs(files: readonly string[], venvs: readonly string[]): string[] {
  if (venvs.length === 0) return [...files];
  return files.filter((file) => !venvs.some((venv) => file.startsWith(`${venv}/`)));
}

/**
 * The listing in two parts: what git tracks comes back at once (git reads its index),
 * the untracked files it does not ignore later (git walks the whole worktree for them,
 * most of the listing's time in a large repository). A scan reads the first part while
 * git walks.
 */
export interface StagedListing {
  first: Promise<FileListing>;
  /**
   * Untracked files, none inside a venv; `venvs`: venvs (pyvenv.cfg among the untracked
   * files) not already in `first`, whose files in `first` are not consumers either.
   */
  rest: Promise<FileListing>;
}

export function listFilesStaged(root: string): StagedListing {
  if (!existsSync(path.join(root, '.git'))) {
    const walked = walkFiles(root);
    return { first: walked, rest: walked.then(() => emptyListing('walk')) };
  }
  const tracked = listWithGit(root, ['ls-files', '-z']);
  const untracked = listWithGit(root, ['ls-files', '-o', '--exclude-standard', '-z']);
  const first = tracked.then((answer) => {
    if ('files' in answer) return withoutVenvContents(answer.files, 'git');
    explainWalk(answer, 'walking the tree instead');
    return walkFiles(root);
  });
  const rest = Promise.all([first, tracked, untracked]).then(async ([listed, answer, more]) => {
    if (!('files' in answer)) return emptyListing('walk');
    const known = new Set(answer.files);
    let others: string[];
    if ('files' in more) {
      others = more.files;
    } else {
      explainWalk(more, 'walking the tree for untracked files');
      others = (await walkFiles(root)).files.filter((file) => !known.has(file));
    }
    const all = withoutVenvContents([...answer.files, ...others], 'git');
    const firstVenvs = new Set(listed.venvs);
    const kept = new Set(all.files);
    return {
      files: others.filter((file) => kept.has(file)),
      discovery: 'git' as const,
      venvs: all.venvs.filter((venv) => !firstVenvs.has(venv)),
    };
  });
  first.catch(() => {});
  rest.catch(() => {});
  return { first, rest };
}

function emptyListing(discovery: FileListing['discovery']): FileListing {
  return { files: [], discovery, venvs: [] };
}

type GitAnswer = { files: string[] } | { missing: true } | { failed: string };

function explainWalk(answer: { missing: true } | { failed: string }, then: string): void {
  if ('missing' in answer) log.debug(`git is not installed: ${then}`);
  else log.warn(`${answer.failed}; ${then}`);
}

async function listWithGit(root: string, args: string[]): Promise<GitAnswer> {
  let result: Awaited<ReturnType<typeof runProcess>>;
  try {
    result = await runProcess('git', args, {
      cwd: root,
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
    throw error;
  }
  if (result.code !== 0) {
    const reason = result.stderr.trim().split('\n')[0] ?? `exit ${result.code}`;
    return { failed: `git ${args.slice(0, -1).join(' ')} failed (${reason})` };
  }
  const files = new Set<string>();
  for (const entry of result.stdout.split('\0')) {
    // An untracked nested repository is listed as 'dir/': not a file.
    if (entry === '' || entry.endsWith('/')) continue;
    files.add(entry);
  }
  return { files: [...files] };
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
