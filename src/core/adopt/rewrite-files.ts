import type { Adapter, AdapterName } from '../../adapters/types.js';
import { classifyReferences, compareReferences, type ScanReference } from '../scan/model.js';
import { applyEdits, usesCrlf } from './apply-edits.js';
import { type FileState, readFileState } from './file-state.js';
import { loadRewriter } from './rewriters.js';
import type {
  AdoptFacts,
  Edit,
  PlannedReference,
  Rewriter,
  UnhandledCategory,
  UnhandledReference,
} from './types.js';

/**
 * Runs the rewriters over every file that holds a reference (and the files rewriters ask
 * for), applies their edits in memory and proves each file's rewrite by detecting the new
 * text again. Reads files; writes nothing.
 */

export interface FileRewrite {
  state: FileState;
  /** The new text, when the file changes. */
  after: string | undefined;
  adapters: AdapterName[];
  reasons: string[];
  handled: ScanReference[];
  unhandled: UnhandledReference[];
  notes: string[];
  /** The file's references as scan will see them once the plan is applied. */
  afterReferences: ScanReference[];
}

/** Edits core adds to a file besides the rewriters' (the CLAUDE.md pointer). */
export type ExtraEdits = (content: string, state: FileState) => Edit[];

export interface RewriteInput {
  root: string;
  references: readonly ScanReference[];
  facts: AdoptFacts;
  adapters: readonly Adapter[];
  /** Core's own edits per repo-relative file. */
  extraEdits?: ReadonlyMap<string, ExtraEdits>;
  /** Rewriters to use instead of those in src/adapters (tests). */
  rewriters?: ReadonlyMap<AdapterName, Rewriter>;
}

export function plannedReference(reference: ScanReference): PlannedReference {
  return {
    file: reference.file,
    line: reference.line,
    column: reference.column,
    text: reference.text,
    kind: reference.kind,
    adapter: reference.adapter,
    consumer: reference.consumer,
    environment: reference.environment,
  };
}

function unhandled(
  reference: ScanReference,
  category: UnhandledCategory,
  reason: string,
  suggestion?: string,
): UnhandledReference {
  const out: UnhandledReference = { ...plannedReference(reference), category, reason };
  if (suggestion !== undefined) out.suggestion = suggestion;
  return out;
}

/**
 * Where text[start, end) of the old text sits in the new one, or undefined when an edit
 * touches it. An insert at `start` shifts it; one at `end` does not.
 */
function mapSpan(
  edits: readonly Edit[],
  crlf: boolean,
  start: number,
  end: number,
): number | undefined {
  let shift = 0;
  for (const edit of edits) {
    if (edit.end <= start) {
      const replacement = crlf ? edit.replacement.replace(/\r?\n/g, '\r\n') : edit.replacement;
      shift += replacement.length - (edit.end - edit.start);
    } else if (edit.start < end) {
      return undefined;
    }
  }
  return start + shift;
}

function detectWith(
  adapters: readonly Adapter[],
  names: ReadonlySet<AdapterName>,
  text: string,
  file: string,
  unifiedVenv: string,
): ScanReference[] | string {
  const found = [];
  for (const adapter of adapters) {
    if (!names.has(adapter.name)) continue;
    try {
      const result = adapter.detect(text, file, { unifiedVenv });
      if (result) found.push(...result.references);
    } catch (error) {
      return `the ${adapter.name} adapter failed on the new text: ${(error as Error).message}`;
    }
  }
  return classifyReferences(found, unifiedVenv).sort(compareReferences);
}

export async function rewriteFiles(input: RewriteInput): Promise<FileRewrite[]> {
  const { facts } = input;
  const byFile = new Map<string, ScanReference[]>();
  for (const reference of input.references) {
    const list = byFile.get(reference.file) ?? [];
    list.push(reference);
    byFile.set(reference.file, list);
  }
  const rewriters = new Map<AdapterName, Rewriter | undefined>();
  for (const adapter of input.adapters)
    rewriters.set(
      adapter.name,
      input.rewriters ? input.rewriters.get(adapter.name) : await loadRewriter(adapter.name),
    );

  // Files rewriters ask for, with the adapter that asked.
  const offered = new Map<string, Set<AdapterName>>();
  for (const [name, rewriter] of rewriters) {
    for (const file of rewriter?.extraFiles?.(facts) ?? []) {
      const set = offered.get(file) ?? new Set();
      set.add(name);
      offered.set(file, set);
    }
  }
  const files = new Set([...byFile.keys(), ...offered.keys(), ...(input.extraEdits?.keys() ?? [])]);
  const results: FileRewrite[] = [];
  for (const file of [...files].sort()) {
    const state = await readFileState(input.root, file);
    results.push(
      rewriteOne(
        file,
        state,
        byFile.get(file) ?? [],
        offered.get(file) ?? new Set(),
        rewriters,
        input,
      ),
    );
  }
  return results;
}

function rewriteOne(
  file: string,
  state: FileState,
  references: ScanReference[],
  offeredBy: ReadonlySet<AdapterName>,
  rewriters: ReadonlyMap<AdapterName, Rewriter | undefined>,
  input: RewriteInput,
): FileRewrite {
  const { facts } = input;
  const result: FileRewrite = {
    state,
    after: undefined,
    adapters: [],
    reasons: [],
    handled: [],
    unhandled: [],
    notes: [],
    afterReferences: references,
  };
  const offFor = (list: readonly ScanReference[]) => list.filter((r) => !r.unified);

  const byAdapter = new Map<AdapterName, ScanReference[]>();
  for (const name of offeredBy) byAdapter.set(name, []);
  for (const reference of references) {
    const list = byAdapter.get(reference.adapter) ?? [];
    list.push(reference);
    byAdapter.set(reference.adapter, list);
  }

  if (!state.utf8) {
    for (const reference of offFor(references)) {
      result.unhandled.push(
        unhandled(reference, 'rewrite-failed', 'the file is not UTF-8 text: left as it is'),
      );
    }
    return result;
  }

  const edits: Edit[] = [];
  /** References the new text may still show off the unified venv. */
  const left: ScanReference[] = [];
  /** References counted as handled, pending confirmation. */
  const pending: ScanReference[] = [];
  const ran = new Set<AdapterName>();

  for (const [name, list] of [...byAdapter].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    // Documentation goes to its rewriter too: without --docs it edits nothing and says,
    // per line, what the line could say instead.
    const given = list;
    if (given.length === 0 && !offeredBy.has(name)) continue;
    const rewriter = rewriters.get(name);
    if (!rewriter) {
      for (const reference of offFor(given)) {
        left.push(reference);
        result.unhandled.push(
          reference.skipReason === 'documentation' && !facts.options.docs
            ? unhandled(reference, 'documentation', 'documentation is reported, not rewritten')
            : unhandled(reference, 'not-rewritten-yet', `the ${name} adapter has no rewriter yet`),
        );
      }
      continue;
    }
    let output: ReturnType<Rewriter['rewrite']>;
    try {
      output = rewriter.rewrite(state.text, given, { ...facts, file, exists: state.exists });
    } catch (error) {
      for (const reference of offFor(given)) {
        left.push(reference);
        result.unhandled.push(
          unhandled(
            reference,
            'rewrite-failed',
            `the ${name} rewriter failed: ${(error as Error).message}`,
          ),
        );
      }
      continue;
    }
    ran.add(name);
    if (output.edits.length > 0 && !result.adapters.includes(name)) result.adapters.push(name);
    edits.push(...output.edits);
    result.notes.push(...output.notes.map((note) => `${file}: ${note}`));
    const skipped = new Set<ScanReference>();
    for (const { reference, reason, suggestion } of output.skipped) {
      const original =
        given.find((r) => r === reference) ?? given.find((r) => sameReference(r, reference));
      if (!original || skipped.has(original)) continue;
      skipped.add(original);
      if (original.unified) continue;
      left.push(original);
      const category =
        original.skipReason === 'documentation' && !facts.options.docs
          ? 'documentation'
          : 'skipped';
      result.unhandled.push(unhandled(original, category, reason, suggestion));
    }
    for (const reference of offFor(given)) if (!skipped.has(reference)) pending.push(reference);
  }

  const extra = input.extraEdits?.get(file);
  if (extra) {
    const more = extra(state.text, state);
    if (more.length > 0) {
      edits.push(...more);
      if (!result.adapters.includes('docs') && file.endsWith('.md')) result.adapters.push('docs');
    }
  }

  if (edits.length === 0 && pending.length === 0) return result;

  const failAll = (category: UnhandledCategory, reason: string) => {
    for (const reference of pending) result.unhandled.push(unhandled(reference, category, reason));
    result.handled = [];
  };

  const applied = applyEdits(state.text, edits);
  if (!applied.ok) {
    failAll('rewrite-failed', `the rewrite of ${file} was refused: ${applied.message}`);
    result.notes.push(`${file}: left as it is (${applied.message})`);
    return result;
  }

  // Prove it: the adapters that read this file, run on the new text.
  const readers = new Set<AdapterName>([...byAdapter.keys(), ...ran]);
  for (const adapter of input.adapters) {
    const newline = applied.text.indexOf('\n');
    if (adapter.matches(file, newline === -1 ? applied.text : applied.text.slice(0, newline))) {
      readers.add(adapter.name);
    }
  }
  const detected = detectWith(input.adapters, readers, applied.text, file, facts.unifiedVenv);
  if (typeof detected === 'string') {
    failAll('not-confirmed', detected);
    return result;
  }
  const crlf = usesCrlf(state.text);
  const expected = new Map<string, number>();
  for (const reference of left) {
    const start = mapSpan(edits, crlf, reference.span.start, reference.span.end);
    if (start === undefined) continue;
    const key = `${reference.adapter}\0${reference.kind}\0${start}\0${reference.text}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const stray: ScanReference[] = [];
  for (const reference of detected) {
    if (reference.unified) continue;
    const key = `${reference.adapter}\0${reference.kind}\0${reference.span.start}\0${reference.text}`;
    const count = expected.get(key) ?? 0;
    if (count > 0) {
      expected.set(key, count - 1);
      continue;
    }
    stray.push(reference);
  }
  if (stray.length > 0) {
    const first = stray[0]!;
    failAll(
      'not-confirmed',
      `after the rewrite the ${first.adapter} adapter still finds ${JSON.stringify(first.text)} at line ${first.line} on ${first.environment}: ${file} is left as it is`,
    );
    result.notes.push(`${file}: rewrite not confirmed, left as it is`);
    return result;
  }
  result.handled = pending;
  result.afterReferences = detected;
  if (applied.text !== state.text || !state.exists) {
    result.after = applied.text;
    const reasons: string[] = [];
    for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
      if (!reasons.includes(edit.reason)) reasons.push(edit.reason);
    }
    result.reasons = reasons;
  }
  return result;
}

function sameReference(a: ScanReference, b: ScanReference): boolean {
  return (
    a.span.start === b.span.start &&
    a.span.end === b.span.end &&
    a.kind === b.kind &&
    a.adapter === b.adapter
  );
}
