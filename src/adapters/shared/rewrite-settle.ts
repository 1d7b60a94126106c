import { applyEdits, usesCrlf } from '../../core/adopt/apply-edits.js';
import type { Edit, SkippedReference } from '../../core/adopt/types.js';
import type { ScanReference } from '../../core/scan/model.js';

/**
 * Some references move without an edit of their own: a PYTHONPATH reaches whatever
 * interpreter its task, server or settings run, so it is on the unified venv once that
 * interpreter is. Whether that happened is a fact of the new text, not a guess: detect it
 * and skip each follower that still comes back off the unified venv.
 */
export interface Follower {
  reference: ScanReference;
  /** Why it stays, should it not follow. */
  reason: string;
}

export function settleFollowers(
  content: string,
  edits: readonly Edit[],
  followers: readonly Follower[],
  detect: (text: string) => ScanReference[],
): SkippedReference[] {
  if (followers.length === 0) return [];
  const applied = applyEdits(content, edits);
  if (!applied.ok) return [];
  const crlf = usesCrlf(content);
  const off = new Set(
    detect(applied.text)
      .filter((reference) => !reference.unified)
      .map((reference) => `${reference.kind}\0${reference.span.start}\0${reference.text}`),
  );
  const stays: SkippedReference[] = [];
  for (const { reference, reason } of followers) {
    let shift = 0;
    let touched = false;
    for (const edit of edits) {
      if (edit.end <= reference.span.start) {
        const replacement = crlf ? edit.replacement.replace(/\r?\n/g, '\r\n') : edit.replacement;
        shift += replacement.length - (edit.end - edit.start);
      } else if (edit.start < reference.span.end) {
        touched = true;
      }
    }
    if (touched) continue;
    const key = `${reference.kind}\0${reference.span.start + shift}\0${reference.text}`;
    if (off.has(key)) stays.push({ reference, reason });
  }
  return stays;
}
