import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

export async function readTextIfExists(p: string): Promise<string | undefined> {
  try {
    return await fs.readFile(p, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A temporary name beside the target, so the final rename never crosses file systems. It
 * carries the writer's pid: a writer killed before its rename leaves a file that the next
 * write of the same target recognises as abandoned and removes.
 */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(
    dir,
    `.${path.basename(target)}.onevenv-${process.pid}-${randomBytes(6).toString('hex')}.tmp`,
  );
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Temporary files of `target` whose writer is gone (killed between write and rename). */
export async function removeAbandonedTemps(target: string): Promise<void> {
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.onevenv-`;
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(\d+)-[0-9a-f]{12}\.tmp$/.exec(entry.slice(prefix.length));
    if (!match || Number(match[1]) === process.pid || !processGone(Number(match[1]))) continue;
    await fs.rm(path.join(dir, entry), { force: true });
  }
}

export interface AtomicWriteOptions {
  /** File mode for a new file; an existing file keeps its own. */
  mode?: number;
}

/**
 * Write to a temp file beside the target, fsync, then rename over it: a reader (or a
 * kill at any moment) sees the old content or the new, never a half-written file.
 */
export async function writeFileAtomic(
  target: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  let mode = options.mode ?? 0o644;
  try {
    mode = (await fs.stat(target)).mode & 0o7777;
  } catch {
    // new file
  }
  await removeAbandonedTemps(target);
  const temp = tempPathFor(target);
  const handle = await fs.open(temp, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.chmod(temp, mode);
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** The line ending a file mostly uses, so edits can keep it. */
export function detectEol(text: string): '\n' | '\r\n' {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
