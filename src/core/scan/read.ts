import fs from 'node:fs';
import type { FileSkipReason } from './model.js';

/** Files larger than this are not read: generated data, not configuration. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Most configuration files fit in one read of this size; larger ones are stat'ed first. */
export const SCRATCH_BYTES = 64 * 1024;

/** git's own test for binary content: a NUL byte in the first 8000 bytes. */
const BINARY_PROBE_BYTES = 8000;

export type ReadOutcome =
  | { text: string; firstLine: string }
  | { skip: FileSkipReason }
  /** Not routed: `wanted` said no to its first line. */
  | { unwanted: true };

export interface ReadOptions {
  /** A buffer of SCRATCH_BYTES the caller lends for the first read (reused across files). */
  scratch: Buffer;
  maxBytes?: number;
  /** Decides from the first line whether the rest is worth reading (shebang routing). */
  wanted?: (firstLine: string) => boolean;
}

// The callback API, not fs/promises: a FileHandle costs about twice the main-thread time
// per file, which is most of a scan's time on a warm cache.
function open(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.open(file, 'r', (error, fd) => (error ? reject(error) : resolve(fd)));
  });
}

function read(fd: number, buffer: Buffer, offset: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, offset, buffer.length - offset, position, (error, bytesRead) =>
      error ? reject(error) : resolve(bytesRead),
    );
  });
}

function fstat(fd: number): Promise<fs.Stats> {
  return new Promise((resolve, reject) => {
    fs.fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats)));
  });
}

function close(fd: number): Promise<void> {
  return new Promise((resolve) => {
    fs.close(fd, () => resolve());
  });
}

function gone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  // Listed but gone (a tracked file deleted in the worktree, a dangling symlink) or not
  // a regular file (a submodule, a symlink to a directory): nothing to scan.
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'ELOOP';
}

function firstLineOf(buffer: Buffer, length: number): string {
  let end = buffer.indexOf(10);
  if (end === -1 || end > length) end = length;
  let line = buffer.toString('utf8', 0, Math.min(end, 4096));
  if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function decode(buffer: Buffer, length: number): string {
  const text = buffer.toString('utf8', 0, length);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The text of a file, BOM stripped; undefined when it is not a regular file (any more).
 * Binary and huge files come back as skipped, never decoded.
 */
export async function readFileText(
  absolute: string,
  options: ReadOptions,
): Promise<ReadOutcome | undefined> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  let fd: number;
  try {
    fd = await open(absolute);
  } catch (error) {
    return gone(error) ? undefined : { skip: 'unreadable' };
  }
  try {
    const scratch = options.scratch;
    const first = await read(fd, scratch, 0, 0);
    if (scratch.subarray(0, Math.min(first, BINARY_PROBE_BYTES)).includes(0)) {
      return { skip: 'binary' };
    }
    const firstLine = firstLineOf(scratch, first);
    if (options.wanted && !options.wanted(firstLine)) return { unwanted: true };
    if (first < scratch.length) {
      if (first > maxBytes) return { skip: 'too-large' };
      return { text: decode(scratch, first), firstLine };
    }
    const { size } = await fstat(fd);
    if (size > maxBytes) return { skip: 'too-large' };
    // Read to EOF rather than trusting the size: the file may grow while we read it.
    let buffer = Buffer.allocUnsafe(Math.min(Math.max(size, first) + 1, maxBytes + 1));
    scratch.copy(buffer, 0, 0, first);
    let length = first;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) return { skip: 'too-large' };
        const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const bytesRead = await read(fd, buffer, length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { text: decode(buffer, length), firstLine };
  } catch (error) {
    return gone(error) ? undefined : { skip: 'unreadable' };
  } finally {
    await close(fd);
  }
}
