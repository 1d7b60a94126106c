import { expect } from 'vitest';
import { LineIndex } from '../../src/adapters/reference.js';
import type { DetectContext, Reference } from '../../src/adapters/types.js';

/**
 * Helpers for detector tests (`src/adapters/<name>/detect.test.ts`); the rewriter tests'
 * harness is `rewrite.ts`.
 */

/** What every detector test scans with: the unified venv where adopt puts it. */
export const detectContext: DetectContext = { unifiedVenv: 'python/.venv' };

/** Only the fields most tests care about; meta is asserted whole where it matters. */
export function brief(refs: Reference[]) {
  return refs.map((ref) => ({
    line: ref.line,
    text: ref.text,
    kind: ref.kind,
    consumer: ref.consumer,
    environment: ref.environment,
    skipReason: ref.skipReason,
  }));
}

/** Each reference without where it stands (file, span, column) and the adapter's name. */
export function unplaced(refs: Reference[]) {
  return refs.map(({ file: _f, span: _s, adapter: _a, column: _c, ...rest }) => rest);
}

/** Every span covers exactly the text its reference reports. */
export function expectExactSpans(text: string, refs: Reference[]): void {
  for (const ref of refs) expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
}

/**
 * Offsets of the `occurrence`-th `needle` in `text`, counted from the first `after` (the
 * test's own reading of where it is).
 */
export function findSpan(
  text: string,
  needle: string,
  where: { occurrence?: number; after?: string } = {},
): { start: number; end: number } {
  const occurrence = where.occurrence ?? 0;
  let start = text.indexOf(where.after ?? '') - 1;
  for (let i = 0; i <= occurrence; i++) {
    start = text.indexOf(needle, start + 1);
    if (start === -1) throw new Error(`no ${needle} #${occurrence}`);
  }
  return { start, end: start + needle.length };
}

/** The reference a test expects for `needle` in `text`, its line and column read by the test. */
export function expectedReference(
  text: string,
  needle: string,
  fields: Omit<Reference, 'line' | 'column' | 'span' | 'text'>,
  where: { occurrence?: number; after?: string } = {},
): Reference {
  const span = findSpan(text, needle, where);
  const { line, column } = new LineIndex(text).position(span.start);
  return { line, column, span, text: needle, ...fields };
}

/** [line, kind, text, environment, consumer, skipReason?] for compact whole-file checks. */
export function outline(refs: Reference[] | null): Array<Array<string | number>> {
  return (refs ?? []).map((r) => {
    const row: Array<string | number> = [r.line, r.kind, r.text, r.environment, r.consumer];
    if (r.skipReason) row.push(r.skipReason);
    return row;
  });
}
