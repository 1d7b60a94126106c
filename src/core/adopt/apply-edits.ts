import type { Edit } from './types.js';

export type ApplyEditsResult =
  | { ok: true; text: string }
  | { ok: false; message: string; edits: [Edit, Edit] | [Edit] };

/** Does the file mostly end its lines with CRLF? (the same rule as `detectEol`) */
export function usesCrlf(text: string): boolean {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf;
}

/**
 * Splices `edits` into `text`, last offset first, so each edit's offsets stay those of
 * the original text. Replacements are written with '\n' and take the file's line ending
 * here. Overlapping edits, or one outside the text, are refused: nothing is applied and
 * the offending edits are named. Whether the text ends with a newline is kept.
 */
export function applyEdits(text: string, edits: readonly Edit[]): ApplyEditsResult {
  for (const edit of edits) {
    if (
      !Number.isInteger(edit.start) ||
      !Number.isInteger(edit.end) ||
      edit.start < 0 ||
      edit.end < edit.start ||
      edit.end > text.length
    ) {
      return {
        ok: false,
        message: `edit ${edit.start}-${edit.end} lies outside the text (length ${text.length})`,
        edits: [edit],
      };
    }
  }
  // Stable sort by start; inserts at one offset keep the order given.
  const ordered = edits.map((edit, index) => ({ edit, index }));
  ordered.sort((a, b) => a.edit.start - b.edit.start || a.index - b.index);
  for (let i = 1; i < ordered.length; i++) {
    const previous = ordered[i - 1]!.edit;
    const current = ordered[i]!.edit;
    // Touching is fine (end === start); so are inserts at the end of a replaced range.
    if (current.start < previous.end) {
      return {
        ok: false,
        message: `edits ${previous.start}-${previous.end} and ${current.start}-${current.end} overlap`,
        edits: [previous, current],
      };
    }
  }
  const crlf = usesCrlf(text);
  const pieces: string[] = [];
  let cursor = text.length;
  for (let i = ordered.length - 1; i >= 0; i--) {
    const { edit } = ordered[i]!;
    pieces.push(text.slice(edit.end, cursor));
    pieces.push(crlf ? edit.replacement.replace(/\r?\n/g, '\r\n') : edit.replacement);
    cursor = edit.start;
  }
  pieces.push(text.slice(0, cursor));
  let out = pieces.reverse().join('');
  out = keepTrailingNewline(text, out, crlf);
  return { ok: true, text: out };
}

/**
 * A file that ended without a newline still does, and one that ended with one still
 * does (unless it is now empty).
 */
function keepTrailingNewline(before: string, after: string, crlf: boolean): string {
  if (before === '' || after === '') return after;
  const had = before.endsWith('\n');
  const has = after.endsWith('\n');
  if (had && !has) return after + (crlf ? '\r\n' : '\n');
  if (!had && has) return after.replace(/\r?\n$/, '');
  return after;
}
