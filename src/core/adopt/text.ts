import path from 'node:path';
import type { Edit } from './types.js';

/** Small helpers rewriters share, so each stays a handful of lines. All pure. */

/**
 * The whole line holding `offset`, its line ending included ('\n' or '\r\n'; none on a
 * last line without one): the range to remove a line.
 */
export function lineRange(text: string, offset: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const newline = text.indexOf('\n', offset);
  if (newline !== -1) return { start, end: newline + 1 };
  // A last line without a line ending: take the one before it instead, so no blank
  // line is left at the end and the file still ends without one.
  const before = start > 0 ? (text[start - 2] === '\r' ? start - 2 : start - 1) : start;
  return { start: before, end: text.length };
}

/** Removes the line holding `offset`. */
export function deleteLine(text: string, offset: number, reason: string): Edit {
  return { ...lineRange(text, offset), replacement: '', reason };
}

/**
 * Appends `line` as a new last line. A file without a trailing newline keeps having
 * none; an empty file gets the line and a newline.
 */
export function appendLine(text: string, line: string, reason: string): Edit {
  const end = text.length;
  if (end === 0) return { start: 0, end: 0, replacement: `${line}\n`, reason };
  if (text.endsWith('\n')) return { start: end, end, replacement: `${line}\n`, reason };
  return { start: end, end, replacement: `\n${line}`, reason };
}

/** Inserts `line` (no line ending) before the line holding `offset`, with that line's indentation. */
export function insertLineBefore(text: string, offset: number, line: string, reason: string): Edit {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(start))![0];
  return { start, end: start, replacement: `${indent}${line}\n`, reason };
}

/**
 * `target` (repo-relative) as seen from the directory of `file` (repo-relative):
 * ('replay/start_server.sh', 'python/.venv') → '../python/.venv'.
 */
export function relativeFromFile(file: string, target: string): string {
  const dir = path.posix.dirname(file);
  return path.posix.relative(dir === '.' ? '' : dir, target) || '.';
}
