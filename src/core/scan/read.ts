import { promises as fs } from 'node:fs';
import type { FileSkipReason } from './model.js';

/** Files larger than this are not read: generated data, not configuration. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** git's own test for binary content: a NUL byte in the first 8000 bytes. */
const BINARY_PROBE_BYTES = 8000;

const HEAD_BYTES = 512;

export type ReadOutcome = { text: string } | { skip: FileSkipReason };

function hasNul(buffer: Buffer, length: number): boolean {
  return buffer.subarray(0, Math.min(length, BINARY_PROBE_BYTES)).includes(0);
}

function decode(buffer: Buffer): string {
  const text = buffer.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function missing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  // Listed but gone (a tracked file deleted in the worktree, a dangling symlink) or not
  // a regular file (a submodule, a symlink to a directory): nothing to scan.
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'ELOOP';
}

/**
 * The text of a file, BOM stripped; undefined when it is not a regular file any more.
 * Binary and huge files are reported as skipped, never decoded.
 */
export async function readTextFile(
  absolute: string,
  maxBytes = MAX_FILE_BYTES,
): Promise<ReadOutcome | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(absolute, 'r');
  } catch (error) {
    if (missing(error)) return undefined;
    return { skip: 'unreadable' };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined;
    if (stat.size > maxBytes) return { skip: 'too-large' };
    // Read to EOF rather than trusting the size: the file may grow between stat and read.
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) {
        if (length > maxBytes) return { skip: 'too-large' };
        break;
      }
    }
    if (hasNul(buffer, length)) return { skip: 'binary' };
    return { text: decode(buffer.subarray(0, length)) };
  } catch (error) {
    if (missing(error)) return undefined;
    return { skip: 'unreadable' };
  } finally {
    await handle.close();
  }
}

export interface FileHead {
  /** The first line without its line ending or BOM. */
  firstLine: string;
  binary: boolean;
}

/** The first line of a file, for routing files whose name says nothing (shebang scripts). */
export async function readFileHead(absolute: string): Promise<FileHead | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(absolute, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    if (hasNul(buffer, bytesRead)) return { firstLine: '', binary: true };
    const text = decode(buffer.subarray(0, bytesRead));
    const newline = text.indexOf('\n');
    const line = newline === -1 ? text : text.slice(0, newline);
    return { firstLine: line.endsWith('\r') ? line.slice(0, -1) : line, binary: false };
  } catch {
    // A directory or a file that vanished: not routable.
    return undefined;
  } finally {
    await handle.close();
  }
}
