import { createHash } from 'node:crypto';
import { promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../util/fs.js';
import { log } from '../../util/log.js';
import type { ProbeGroup } from './probe.js';

/**
 * The import check is the slow half of building a venv: the first import of fastmcp,
 * pytest or tree-sitter in a new venv compiles their bytecode (about 1.4 s for the seed
 * ticket's set, against 0.5 s for uv to create the venv and install the lock). What it
 * proves is a property of its inputs, not of one directory: uv installs exactly the
 * lock's files, each checked against its hash, for one base interpreter. So a check that
 * passed is remembered in the user's cache, keyed by everything that decides its outcome
 * (the lock's bytes, the interpreter file, the groups and their modules, the editable
 * projects' files, the listings of the `paths` directories), and a venv built again from
 * the same inputs (deleted, rebuilt, or in a new worktree of the same commit) does not
 * import again. `onevenv check` and `sync --deep` always import.
 */

export const PROOF_FORMAT = 1;

/** Editable projects larger than this are not fingerprinted: their checks always run. */
const MAX_EDITABLE_FILES = 5_000;
const MAX_EDITABLE_BYTES = 64 * 1024 * 1024;

/** Directories an editable project's imports never read (caches, builds, VCS, venvs). */
const SKIPPED_DIRS = new Set([
  '__pycache__',
  'node_modules',
  'build',
  'dist',
  'venv',
  'env',
  'site-packages',
]);

export interface ProofInputs {
  lockText: string;
  /** The base interpreter's real path and its `dev:inode:size:mtime-ns`. */
  python: { real: string; identity: string; version: string };
  groups: ProbeGroup[];
  editables: string[];
  paths: string[];
  root: string;
}

export interface ImportProof {
  format: number;
  /** Distributions the venv held when the check passed (the same lock gives the same). */
  packages: number;
  groups: Array<{ name: string; modules: string[] }>;
  provedAt: string;
}

function proofPath(cacheDir: string, key: string): string {
  return path.join(cacheDir, 'import-proofs', `${key}.json`);
}

/**
 * The files of an editable project, hashed by content under their relative paths (a new
 * worktree has new paths and new mtimes, the same bytes). Undefined when the project is
 * too large to hash on every build, or unreadable.
 */
export function editableFingerprint(dir: string): string | undefined {
  const hash = createHash('sha256');
  let files = 0;
  let bytes = 0;
  const walk = (relative: string): boolean => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(path.join(dir, relative), { withFileTypes: true });
    } catch {
      return false;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const name = entry.name;
      const child = relative ? `${relative}/${name}` : name;
      if (entry.isDirectory()) {
        if (name.startsWith('.') || SKIPPED_DIRS.has(name) || name.endsWith('.egg-info')) {
          continue;
        }
        if (!walk(child)) return false;
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      if (name.endsWith('.pyc')) continue;
      let data: Buffer;
      try {
        data = readFileSync(path.join(dir, child));
      } catch {
        return false;
      }
      files += 1;
      bytes += data.length;
      if (files > MAX_EDITABLE_FILES || bytes > MAX_EDITABLE_BYTES) return false;
      hash.update(`${child}\0${data.length}\0`);
      hash.update(data);
    }
    return true;
  };
  return walk('') ? hash.digest('hex') : undefined;
}

/** Names, sizes and mtimes of a `paths` directory's entries: a build changes them. */
function listingFingerprint(dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return 'absent';
  }
  const hash = createHash('sha256');
  for (const name of names) {
    try {
      const stat = statSync(path.join(dir, name), { bigint: true });
      hash.update(`${name}\0${stat.size}\0${stat.mtimeNs}\n`);
    } catch {
      hash.update(`${name}\0gone\n`);
    }
  }
  return hash.digest('hex');
}

/** The cache key of an import check, or undefined when its outcome cannot be keyed. */
export function proofKey(inputs: ProofInputs): string | undefined {
  const editables: Record<string, string> = {};
  for (const dir of inputs.editables) {
    const fingerprint = editableFingerprint(dir);
    if (!fingerprint) return undefined;
    editables[dir] = fingerprint;
  }
  const relative = (dir: string) => path.relative(inputs.root, dir).split(path.sep).join('/');
  const groups = inputs.groups.map((group) => ({
    name: group.name,
    requirements: group.requirements ?? null,
    modules: group.modules ?? null,
    editables: (group.editables ?? []).map((dir) => [relative(dir), editables[dir] ?? null]),
  }));
  return createHash('sha256')
    .update(
      JSON.stringify({
        format: PROOF_FORMAT,
        platform: `${process.platform}-${process.arch}`,
        lock: createHash('sha256').update(inputs.lockText).digest('hex'),
        python: [inputs.python.real, inputs.python.identity, inputs.python.version],
        groups,
        editables: inputs.editables.map((dir) => [relative(dir), editables[dir]]),
        paths: inputs.paths.map((dir) => [relative(dir), listingFingerprint(dir)]),
      }),
    )
    .digest('hex');
}

export function readProof(cacheDir: string, key: string): ImportProof | undefined {
  try {
    const proof = JSON.parse(readFileSync(proofPath(cacheDir, key), 'utf8')) as ImportProof;
    if (
      proof.format !== PROOF_FORMAT ||
      typeof proof.packages !== 'number' ||
      !Array.isArray(proof.groups)
    ) {
      return undefined;
    }
    return proof;
  } catch {
    return undefined;
  }
}

/** Proofs kept: every lock a repository had over a long while, and then the newest. */
export const MAX_PROOFS = 200;

/** Best effort: a cache that cannot be written only means the next build imports again. */
export async function writeProof(cacheDir: string, key: string, proof: ImportProof): Promise<void> {
  try {
    const file = proofPath(cacheDir, key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, `${JSON.stringify(proof)}\n`);
    await pruneProofs(path.dirname(file));
  } catch (error) {
    log.debug(`import proof not cached: ${(error as Error).message}`);
  }
}

/** Beyond MAX_PROOFS, the least recently written go (a proof is one small file). */
async function pruneProofs(dir: string): Promise<void> {
  const names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  if (names.length <= MAX_PROOFS) return;
  const aged = names
    .map((name) => {
      try {
        return { name, mtime: statSync(path.join(dir, name)).mtimeMs };
      } catch {
        return { name, mtime: 0 };
      }
    })
    .sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : 1));
  for (const { name } of aged.slice(0, aged.length - MAX_PROOFS)) {
    await fs.rm(path.join(dir, name), { force: true });
  }
}
