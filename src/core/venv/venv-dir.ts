import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { MARKER_FILE, type Marker, markerPath } from './marker.js';

/**
 * What is at the venv path, and the few operations sync performs on it. The rule that
 * matters: a directory is only ever deleted or reused when it is a venv (pyvenv.cfg) or
 * one onevenv started building (its marker). A rebuild renames the old venv aside first
 * (atomic), builds the new one in place, and deletes the old one last; a kill in between
 * leaves a trash directory the next sync removes.
 */

export type VenvDir =
  | { kind: 'absent' }
  /** An empty directory: nothing to lose, built in place. */
  | { kind: 'empty' }
  | { kind: 'not-a-directory' }
  /** A directory that is neither a venv nor onevenv's: never touched. */
  | { kind: 'foreign'; entries: string[] }
  | { kind: 'venv'; hasPyvenvCfg: boolean; hasMarker: boolean };

export async function inspectVenvDir(venv: string): Promise<VenvDir> {
  let stat: import('node:fs').Stats;
  try {
    stat = await fs.stat(venv);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // A dangling symlink is something the user made: not ours to replace.
      try {
        await fs.lstat(venv);
        return { kind: 'not-a-directory' };
      } catch {
        return { kind: 'absent' };
      }
    }
    if (code === 'ENOTDIR') return { kind: 'not-a-directory' };
    throw error;
  }
  if (!stat.isDirectory()) return { kind: 'not-a-directory' };
  let entries: string[];
  try {
    entries = await fs.readdir(venv);
  } catch (error) {
    // Renamed away by a sync between the stat and the read.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  // Only the temporary file of a marker write killed before its rename: still ours.
  if (entries.every(isMarkerTemp)) return { kind: 'empty' };
  const hasPyvenvCfg = entries.includes('pyvenv.cfg');
  const hasMarker = entries.includes(MARKER_FILE);
  if (!hasPyvenvCfg && !hasMarker) return { kind: 'foreign', entries };
  return { kind: 'venv', hasPyvenvCfg, hasMarker };
}

/** Exit 2 for a path onevenv must not touch, naming it and what to do. */
export function refuseVenvDir(dir: VenvDir, shown: string): UserError | undefined {
  if (dir.kind === 'not-a-directory') {
    return new UserError(`${shown} exists and is not a directory; onevenv will not replace it`, {
      location: { file: shown },
      fix: 'move it away, or set [tool.onevenv] venv to another path',
    });
  }
  if (dir.kind === 'foreign') {
    return new UserError(
      `${shown} exists but is not a virtual environment (no pyvenv.cfg); onevenv will not delete or reuse it`,
      {
        location: { file: shown },
        fix: 'move it away yourself, or set [tool.onevenv] venv to another path',
      },
    );
  }
  return undefined;
}

export async function writeMarker(venv: string, marker: Marker): Promise<void> {
  await writeFileAtomic(markerPath(venv), `${JSON.stringify(marker, null, 2)}\n`);
}

const TRASH = '.onevenv-trash-';

/** Renames the venv aside (atomic); returns the trash path to delete once the new one is ready. */
export async function moveVenvAside(venv: string): Promise<string> {
  const trash = `${venv}${TRASH}${randomBytes(4).toString('hex')}`;
  await fs.rename(venv, trash);
  return trash;
}

/**
 * Deletes a venv so that a kill part-way leaves a directory still recognisable as one (its
 * pyvenv.cfg and marker go last): the next sync finishes the deletion instead of finding a
 * foreign directory it must not touch.
 */
export async function removeVenvDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return;
  }
  const last = new Set(['pyvenv.cfg', MARKER_FILE]);
  for (const entry of entries) {
    if (!last.has(entry)) await fs.rm(path.join(dir, entry), { recursive: true, force: true });
  }
  await fs.rm(dir, { recursive: true, force: true });
}

/** Trash left by a killed rebuild: only directories that were venvs (or ours) are deleted. */
export async function removeTrash(venv: string): Promise<string[]> {
  const dir = path.dirname(venv);
  const prefix = `${path.basename(venv)}${TRASH}`;
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const full = path.join(dir, entry);
    const inside = await inspectVenvDir(full);
    if (inside.kind !== 'venv' && inside.kind !== 'empty') continue;
    await removeVenvDir(full);
    removed.push(full);
  }
  return removed;
}

/** Temp files of a marker write killed before its rename (only called under the lock). */
export async function removeMarkerTemps(venv: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(venv);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (isMarkerTemp(entry)) await fs.rm(path.join(venv, entry), { force: true });
  }
}

/** A marker write's temporary file: sync's (`writeFileAtomic`) or python/setup.sh's. */
export function isMarkerTemp(entry: string): boolean {
  const marker = MARKER_FILE.replace(/\./g, '\\.');
  return new RegExp(`^(\\.${marker}\\.onevenv-[\\w-]+|${marker}\\.\\d+\\.[0-9a-f]{8})\\.tmp$`).test(
    entry,
  );
}

/** `lib/python3.X/site-packages` (POSIX) or `Lib/site-packages` (Windows). */
export async function sitePackages(venv: string): Promise<string> {
  if (process.platform === 'win32') return path.join(venv, 'Lib', 'site-packages');
  const lib = path.join(venv, 'lib');
  for (const entry of (await fs.readdir(lib)).sort()) {
    const candidate = path.join(lib, entry, 'site-packages');
    try {
      await fs.access(candidate);
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error(`no site-packages under ${lib}`);
}

/** pyvenv.cfg as key → value. */
export async function readPyvenvCfg(venv: string): Promise<Record<string, string> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(venv, 'pyvenv.cfg'), 'utf8');
  } catch {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([^=]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) out[match[1]!.toLowerCase()] = match[2]!;
  }
  return out;
}
