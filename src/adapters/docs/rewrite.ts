import { applyEdits } from '../../core/adopt/apply-edits.js';
import type {
  AdoptFacts,
  Edit,
  RewriteContext,
  RewriteResult,
  Rewriter,
  SkippedReference,
} from '../../core/adopt/types.js';
import { classifyReferences, type ScanReference } from '../../core/scan/model.js';
import {
  rewriteShellUnit,
  type ShellFindingInput,
  type ShellSplice,
} from '../shared/rewrite-shell.js';
import { type Plan, settle } from '../shell/settle.js';
import type { ReferenceKind, SkipReason } from '../types.js';
import { detectDocReferences, docDirectory } from './detect.js';

/**
 * Docs that tell people to make, activate or install into an old venv. Only with
 * `adopt --docs` are they rewritten: the command lines in code (fenced blocks, `$ `
 * prompts, inline code, reStructuredText literals) go through the shared shell rewriter,
 * so `source scripts/.venv/bin/activate` becomes `source python/.venv/bin/activate` and
 * `python3 -m venv …` with its `pip install …` becomes `python/setup.sh`. Without it each
 * reference is left as it is, with the line it would become as the suggestion.
 */

type Facts = Omit<AdoptFacts, 'root' | 'references'>;

const REPORTED = 'documentation is reported, not rewritten (adopt --docs rewrites it)';

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Where the code block holding a reference starts: a `cd` before it does not count. */
function blockStart(text: string, reference: ScanReference): number {
  const line = lineStartOf(text, reference.span.start);
  const block = reference.meta?.block;
  const pattern =
    block === 'fenced'
      ? /^[ \t]*(?:`{3,}|~{3,})/
      : block === 'literal'
        ? /::[ \t]*\r?$/
        : undefined;
  if (!pattern) return line;
  let at = line;
  while (at > 0) {
    const previous = lineStartOf(text, at - 1);
    const content = text.slice(previous, at - 1);
    if (pattern.test(content)) return at;
    at = previous;
  }
  return 0;
}

function rewriteDocText(
  content: string,
  references: readonly ScanReference[],
  file: string,
  facts: Facts,
): { splices: ShellSplice[]; skipped: SkippedReference[] } {
  const scopes = new Map<number, number>();
  // The shell rewriter sees the command's own skip reason; what it skips is reported as
  // the reference the scan gave.
  const original = new Map<ScanReference, ScanReference>();
  const findings: ShellFindingInput[] = references.map((reference) => {
    scopes.set(reference.span.start, blockStart(content, reference));
    const command = reference.meta?.command;
    const own = reference.meta?.commandSkipReason;
    const seen =
      typeof own === 'string' ? { ...reference, skipReason: own as SkipReason } : reference;
    original.set(seen, reference);
    return {
      reference: seen,
      kind: (typeof command === 'string' ? command : reference.kind) as ReferenceKind,
      start: reference.span.start,
      end: reference.span.end,
    };
  });
  const { splices, skipped } = rewriteShellUnit(
    {
      text: content,
      findings,
      cwd: docDirectory(file),
      scopeStart: (offset) => scopes.get(offset) ?? lineStartOf(content, offset),
    },
    facts,
  );
  return {
    splices,
    skipped: skipped.map((entry) => ({
      ...entry,
      reference: original.get(entry.reference) ?? entry.reference,
    })),
  };
}

/** The line a reference sits on, as the rewrite would leave it. */
function suggestion(
  content: string,
  after: string,
  edits: readonly Edit[],
  reference: ScanReference,
): string {
  const start = lineStartOf(content, reference.span.start);
  const newline = content.indexOf('\n', reference.span.start);
  const end = newline === -1 ? content.length : newline;
  if (edits.some((edit) => edit.replacement === '' && edit.start <= start && edit.end >= end)) {
    return 'remove this line';
  }
  let shift = 0;
  for (const edit of edits) {
    if (edit.end <= start) shift += edit.replacement.length - (edit.end - edit.start);
  }
  const from = start + shift;
  const to = after.indexOf('\n', from);
  return after.slice(from, to === -1 ? after.length : to).trim();
}

function rewriteDocs(
  content: string,
  references: ScanReference[],
  context: RewriteContext,
): RewriteResult {
  const { splices, skipped } = rewriteDocText(content, references, context.file, context);
  const edits: Edit[] = splices.map((splice) => ({ ...splice }));
  if (context.options.docs) {
    // Proved as the shell rewriters' plans are: a splice inside a longer command word
    // (`` `venv/bin/`/python ``) leaves that word off the venv under a new text.
    const plan: Plan = {
      changes: edits.map((edit) => ({
        edits: [edit],
        references: references.filter(
          (r) => r.span.start < edit.end && edit.start < r.span.end && !r.unified,
        ),
        fallback: `the command around it would still not run ${context.unifiedVenv}: change it by hand`,
      })),
      dependents: [],
      skipped,
      notes: [],
    };
    return settle(content, plan, (text) =>
      classifyReferences(
        detectDocReferences(text, context.file, { unifiedVenv: context.unifiedVenv })?.references ??
          [],
        context.unifiedVenv,
      ),
    );
  }
  // Reported only: each with the line it would become.
  const applied = applyEdits(content, edits);
  const stays = new Set(skipped.map((entry) => entry.reference));
  const reported: SkippedReference[] = [...skipped];
  for (const reference of references) {
    if (reference.unified || stays.has(reference)) continue;
    const entry: SkippedReference = { reference, reason: REPORTED };
    if (applied.ok) entry.suggestion = suggestion(content, applied.text, edits, reference);
    reported.push(entry);
  }
  return { edits: [], skipped: reported, notes: [] };
}

export const rewriter: Rewriter = { rewrite: rewriteDocs };
