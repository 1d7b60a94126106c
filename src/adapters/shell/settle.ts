import { applyEdits, usesCrlf } from '../../core/adopt/apply-edits.js';
import type { Edit, RewriteResult, SkippedReference } from '../../core/adopt/types.js';
import type { ScanReference } from '../../core/scan/model.js';

/**
 * A rewriter's plan, proved before it is handed to the adopt core: the edits are applied
 * in memory and the adapter detects the new text, exactly as the core will. A reference
 * that still comes back off the unified venv is taken out of the plan with its reason
 * (its change is dropped, or, when it moved only through another change, it is skipped),
 * until the plan holds. So the core never has to refuse a file of these rewriters, and a
 * reference is either moved or reported with a reason the user can act on.
 */

/** Edits that move some references, dropped together when one of them does not take. */
export interface Change {
  edits: Edit[];
  references: ScanReference[];
  /** Why the references stay when the change is dropped. */
  fallback: string;
  note?: string;
}

/** A reference that moves without an edit of its own (`$VENV/bin/python` once VENV moves). */
export interface Dependent {
  reference: ScanReference;
  /** Why it stays when it does not move after all. */
  fallback: string;
  /** Why it stays when what it moves with stays too (that change was dropped). */
  stays?: string;
}

export interface Plan {
  changes: Change[];
  dependents: Dependent[];
  skipped: SkippedReference[];
  notes: string[];
  /**
   * References of the file the plan does not decide (other edits of the caller do, such as
   * a JSON file's settings beside its shell commands): found where they were, they may
   * name another environment.
   */
  others?: readonly ScanReference[];
}

/** At most this many rounds; each round takes at least one change or dependent out. */
const MAX_ROUNDS = 64;

function replacementOf(edit: Edit, crlf: boolean): string {
  return crlf ? edit.replacement.replace(/\r?\n/g, '\r\n') : edit.replacement;
}

interface Placed {
  edit: Edit;
  change: Change;
  /** Where the replacement lies in the new text. */
  newStart: number;
  newEnd: number;
}

function place(changes: readonly Change[], crlf: boolean): Placed[] {
  const all: Placed[] = [];
  for (const change of changes) {
    for (const edit of change.edits) all.push({ edit, change, newStart: 0, newEnd: 0 });
  }
  all.sort((a, b) => a.edit.start - b.edit.start);
  let shift = 0;
  for (const placed of all) {
    placed.newStart = placed.edit.start + shift;
    placed.newEnd = placed.newStart + replacementOf(placed.edit, crlf).length;
    shift += placed.newEnd - placed.newStart - (placed.edit.end - placed.edit.start);
  }
  return all;
}

/** The new offset of untouched text [start, end), as the core maps it; undefined when an edit touches it. */
function forward(placed: readonly Placed[], start: number, end: number): number | undefined {
  let shift = 0;
  for (const { edit, newStart, newEnd } of placed) {
    const grows = newEnd - newStart - (edit.end - edit.start);
    if (edit.end <= start && !(edit.start === edit.end && edit.start === end && end > start)) {
      shift += grows;
      continue;
    }
    if (edit.start >= end) continue;
    return undefined;
  }
  return start + shift;
}

/** The old offset of new offset `at` outside every replacement; undefined inside one. */
function backward(placed: readonly Placed[], at: number): number | undefined {
  let shift = 0;
  for (const { edit, newStart, newEnd } of placed) {
    if (at < newStart) break;
    if (at < newEnd) return undefined;
    shift += newEnd - newStart - (edit.end - edit.start);
  }
  return at - shift;
}

/** A skipped reference is as expected only where it names what it named before. */
function key(reference: ScanReference, start: number, named = true): string {
  const place = `${reference.adapter}\0${reference.kind}\0${start}\0${reference.text}`;
  return named ? `${place}\0${reference.environment}` : place;
}

export function settle(
  content: string,
  plan: Plan,
  detect: (text: string) => ScanReference[],
): RewriteResult {
  const crlf = usesCrlf(content);
  let changes = [...plan.changes];
  let dependents = [...plan.dependents];
  const skipped = [...plan.skipped];
  const drop = (change: Change, reason = change.fallback) => {
    changes = changes.filter((c) => c !== change);
    for (const reference of change.references) skipped.push({ reference, reason });
  };
  const demote = (dependent: Dependent, unmoved = false) => {
    dependents = dependents.filter((d) => d !== dependent);
    const reason = unmoved ? (dependent.stays ?? dependent.fallback) : dependent.fallback;
    skipped.push({ reference: dependent.reference, reason });
  };
  /** Applies `list`; what comes back off the venv that no skip accounts for. */
  const trial = (list: readonly Change[]) => {
    const placed = place(list, crlf);
    const applied = applyEdits(
      content,
      placed.map((p) => p.edit),
    );
    if (!applied.ok) return { placed, applied, stray: [] as ScanReference[] };
    const expected = new Map<string, number>();
    for (const { reference } of skipped) {
      if (reference.unified) continue;
      const start = forward(placed, reference.span.start, reference.span.end);
      if (start === undefined) continue;
      const k = key(reference, start);
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    const elsewhere = new Map<string, number>();
    for (const reference of plan.others ?? []) {
      const start = forward(placed, reference.span.start, reference.span.end);
      if (start === undefined) continue;
      const k = key(reference, start, false);
      elsewhere.set(k, (elsewhere.get(k) ?? 0) + 1);
    }
    const stray: ScanReference[] = [];
    for (const reference of detect(applied.text)) {
      if (reference.unified) continue;
      const k = key(reference, reference.span.start);
      const count = expected.get(k) ?? 0;
      if (count > 0) {
        expected.set(k, count - 1);
        continue;
      }
      const loose = key(reference, reference.span.start, false);
      const other = elsewhere.get(loose) ?? 0;
      if (other > 0) {
        elsewhere.set(loose, other - 1);
        continue;
      }
      stray.push(reference);
    }
    return { placed, applied, stray };
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { placed, applied, stray } = trial(changes);
    if (!applied.ok) {
      // Overlapping edits: the later change goes.
      const culprit = placed.find((p) => p.edit === applied.edits[applied.edits.length - 1]);
      if (culprit === undefined) break;
      drop(culprit.change);
      continue;
    }
    if (stray.length === 0) {
      return {
        edits: placed.map((p) => p.edit),
        skipped,
        notes: [...plan.notes, ...changes.flatMap((c) => (c.note === undefined ? [] : [c.note]))],
      };
    }
    const found = stray[0]!;
    // Inside text a change wrote: that change did not take.
    const writer = placed.find((p) => found.span.start < p.newEnd && found.span.end > p.newStart);
    if (writer !== undefined) {
      drop(writer.change);
      continue;
    }
    const old = backward(placed, found.span.start);
    const dependent = dependents.find(
      (d) =>
        d.reference.span.start === old &&
        d.reference.kind === found.kind &&
        d.reference.text === found.text,
    );
    if (dependent !== undefined) {
      demote(dependent, found.environment === dependent.reference.environment);
      continue;
    }
    const owner = changes.find((c) =>
      c.references.some(
        (r) => r.span.start === old && r.kind === found.kind && r.text === found.text,
      ),
    );
    if (owner !== undefined) {
      drop(owner);
      continue;
    }
    // A reference no change wrote or owns, skipped or not, now names another environment:
    // a change elsewhere (a `cd`, a variable's value) altered what it runs. The change
    // without which it reads as before goes.
    const cause =
      old === undefined
        ? undefined
        : changes.findLast((change) => {
            const without = changes.filter((c) => c !== change);
            const again = trial(without);
            return (
              again.applied.ok &&
              !again.stray.some(
                (r) =>
                  r.kind === found.kind &&
                  r.text === found.text &&
                  backward(again.placed, r.span.start) === old,
              )
            );
          });
    if (cause !== undefined) {
      drop(
        cause,
        `${cause.fallback} (moving it would make ${found.text} name ${found.environment})`,
      );
      continue;
    }
    break;
  }
  // Nothing holds: leave the file as it is, every reference with the reason of its change.
  for (const change of changes) drop(change);
  for (const dependent of dependents) demote(dependent);
  return { edits: [], skipped, notes: plan.notes };
}
