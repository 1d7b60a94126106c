import { applyEdits } from '../../core/adopt/apply-edits.js';
import type {
  Edit,
  RewriteContext,
  RewriteResult,
  Rewriter,
  SkippedReference,
} from '../../core/adopt/types.js';
import { classifyReferences, type ScanReference } from '../../core/scan/model.js';
import { lineEndOf, lineStartOf } from '../shell/commands.js';
import { directoryAfter, pythonpathAfter } from '../shell/directory.js';
import { type EntryPath, planShellText, type Site } from '../shell/move-shell.js';
import { type Plan, settle } from '../shell/settle.js';
import { type Fragment, relativePath } from '../shell/words.js';
import { ENV_UNKNOWN, type ReferenceKind, type SkipReason } from '../types.js';
import { detectDocReferences, docDirectory } from './detect.js';

/**
 * Docs that tell people to make, activate or install into an old venv. Only with
 * `adopt --docs` are they rewritten: the command lines in code (fenced blocks, `$ `
 * prompts, inline code, reStructuredText literals) go through the shell rewriter of the
 * shell adapter, one block at a time, so `source scripts/.venv/bin/activate` becomes
 * `source python/.venv/bin/activate` and `python3 -m venv …` with its `pip install …`
 * becomes `python/setup.sh`. Without it each reference is left as it is, with the line it
 * would become as the suggestion.
 */

const REPORTED = 'documentation is reported, not rewritten (adopt --docs rewrites it)';
const PROMPT = /^[ \t]*(?:>[ \t]*)?\$ (?=\S)/;

/** The lines [start, end) of a code block: from the line after its opening to its closing. */
function blockLines(text: string, reference: ScanReference): { start: number; end: number } {
  const line = lineStartOf(text, reference.span.start);
  const fenced = reference.meta?.block === 'fenced';
  const opening = fenced ? /^[ \t]*(?:`{3,}|~{3,})/ : /::[ \t]*\r?$/;
  let start = 0;
  for (let at = line; at > 0; ) {
    const previous = lineStartOf(text, at - 1);
    if (opening.test(text.slice(previous, at - 1))) {
      start = at;
      break;
    }
    at = previous;
  }
  const base =
    start === 0 ? -1 : /^[ \t]*/.exec(text.slice(lineStartOf(text, start - 1)))![0].length;
  let end = start;
  while (end < text.length) {
    const lineEnd = lineEndOf(text, end);
    const content = text.slice(end, lineEnd);
    const closes = fenced
      ? /^[ \t]*(?:`{3,}|~{3,})[ \t]*$/.test(content)
      : content.trim() !== '' && /^[ \t]*/.exec(content)![0].length <= base;
    if (closes && end > line) break;
    const newline = text.indexOf('\n', end);
    if (newline === -1) return { start, end: text.length };
    end = newline + 1;
  }
  return { start, end: end === start ? end : end - (text[end - 2] === '\r' ? 2 : 1) };
}

/** The inline code span holding a reference (between its backticks). */
function inlineSpan(text: string, reference: ScanReference): { start: number; end: number } {
  const lineStart = lineStartOf(text, reference.span.start);
  const lineEnd = lineEndOf(text, reference.span.end);
  const open = text.lastIndexOf('`', reference.span.start - 1);
  const close = text.indexOf('`', reference.span.end);
  let start = open < lineStart ? lineStart : open + 1;
  let end = close === -1 || close > lineEnd ? lineEnd : close;
  if (end - start >= 2 && text[start] === ' ' && text[end - 1] === ' ') {
    start++;
    end--;
  }
  return { start, end };
}

interface Region {
  start: number;
  end: number;
  sites: Site[];
}

/**
 * The shell text of a document, offset for offset: in a terminal session, the `$ ` prompts
 * and the output lines are blanked, so the shell rewriter reads only the commands (and a
 * line it removes goes with its prompt).
 */
function shellView(content: string, references: readonly ScanReference[]) {
  const view = content.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (view[i] !== '\r' && view[i] !== '\n') view[i] = ' ';
  };
  const regions = new Map<string, Region>();
  for (const reference of references) {
    const block = reference.meta?.block;
    let range: { start: number; end: number };
    if (block === 'fenced' || block === 'literal') {
      range = blockLines(content, reference);
      const lines: Array<{ start: number; end: number; prompt: number }> = [];
      for (let at = range.start; at <= range.end; ) {
        const end = lineEndOf(content, at);
        const prompt = PROMPT.exec(content.slice(at, end));
        lines.push({ start: at, end, prompt: prompt ? at + prompt[0].length : -1 });
        const newline = content.indexOf('\n', end);
        if (newline === -1 || newline >= range.end) break;
        at = newline + 1;
      }
      // In a terminal session (a console block) only `$ ` lines are commands: the
      // references of such a block come from them.
      const session = lines.some((l) => l.prompt !== -1);
      if (session) {
        for (const line of lines) blank(line.start, line.prompt === -1 ? line.end : line.prompt);
      }
    } else if (block === 'prompt') {
      const start = lineStartOf(content, reference.span.start);
      const prompt = PROMPT.exec(content.slice(start))?.[0].length ?? 0;
      blank(start, start + prompt);
      range = { start: start + prompt, end: lineEndOf(content, start) };
    } else {
      range = inlineSpan(content, reference);
    }
    const key = `${range.start}:${range.end}`;
    const region = regions.get(key) ?? { ...range, sites: [] };
    region.sites.push({ reference, start: reference.span.start, end: reference.span.end });
    regions.set(key, region);
  }
  return { view: view.join(''), regions: [...regions.values()] };
}

/** The doc mention as the shell rewriter reads it: the command the scanner saw. */
function asCommand(reference: ScanReference): ScanReference {
  const command = reference.meta?.command;
  const own = reference.meta?.commandSkipReason;
  const seen: ScanReference = {
    ...reference,
    kind: (typeof command === 'string' ? command : reference.kind) as ReferenceKind,
  };
  delete seen.skipReason;
  if (typeof own === 'string') seen.skipReason = own as SkipReason;
  else if (reference.meta?.runner === 'uv run') seen.skipReason = 'unsupported';
  else if (reference.environment === ENV_UNKNOWN && seen.kind !== 'pip-install')
    seen.skipReason = 'contains-variable';
  return seen;
}

/** The plan for every code region of the document, on the references the scan gave. */
function planDocs(
  content: string,
  references: readonly ScanReference[],
  context: RewriteContext,
): Plan {
  const original = new Map<ScanReference, ScanReference>();
  const seen = references.map((reference) => {
    const command = asCommand(reference);
    original.set(command, reference);
    return command;
  });
  const { view, regions } = shellView(content, seen);
  const home = docDirectory(context.file);
  const cwd = home === '.' ? '' : home;
  const plan: Plan = { changes: [], dependents: [], skipped: [], notes: [] };
  for (const region of regions) {
    const directory = (offset: number) => directoryAfter(view.slice(region.start, offset), { cwd });
    const venvAt = (offset: number): Fragment | undefined => {
      const at = directory(offset);
      return at === undefined
        ? undefined
        : { text: relativePath(at, context.unifiedVenv), expands: false, relative: true };
    };
    const part = planShellText(view, region.start, region.end, region.sites, {
      context,
      venvAt,
      absoluteVenvAt: () => undefined,
      creation: (offset) => {
        const at = directory(offset) ?? '';
        const script = relativePath(at, context.setupScript);
        return [script.includes('/') ? script : `./${script}`];
      },
      creationReason: `venv creation → ${context.setupScript}`,
      bareInterpreter: 'replace',
      bareFallback: '',
      installSetsUp: true,
      uvRun: true,
      python3: true,
      entryPath: (raw, offset): EntryPath => {
        const path = pythonpathAfter(view.slice(region.start, offset), raw, { cwd });
        return path === undefined ? { sure: false } : { path, sure: !raw.includes('$') };
      },
    });
    plan.changes.push(...part.changes);
    plan.dependents.push(...part.dependents);
    plan.skipped.push(...part.skipped);
    plan.notes.push(...part.notes);
  }
  const back = (reference: ScanReference) => original.get(reference) ?? reference;
  // Lines written over a session's `$ ` lines keep their prompt (the view blanked it).
  const prompted = (edit: Edit): Edit => {
    const prompt = PROMPT.exec(content.slice(edit.start, lineEndOf(content, edit.start)))?.[0];
    if (prompt === undefined || view.slice(edit.start, edit.start + prompt.length).trim() !== '')
      return edit;
    const blank = ' '.repeat(prompt.length);
    const replacement = edit.replacement
      .split('\n')
      .map((line) => (line.startsWith(blank) ? prompt + line.slice(blank.length) : line))
      .join('\n');
    return { ...edit, replacement };
  };
  return {
    changes: plan.changes.map((change) => ({
      ...change,
      edits: change.edits.map(prompted),
      references: change.references.map(back),
    })),
    dependents: plan.dependents.map((d) => ({ ...d, reference: back(d.reference) })),
    skipped: plan.skipped
      .map((s) => ({ ...s, reference: back(s.reference) }))
      .sort((a, b) => a.reference.span.start - b.reference.span.start),
    notes: plan.notes,
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
  // Proved as the shell rewriters' plans are: a splice inside a longer command word
  // (`` `venv/bin/`/python ``) leaves that word off the venv under a new text.
  const result = settle(content, planDocs(content, references, context), (text) =>
    classifyReferences(
      detectDocReferences(text, context.file, { unifiedVenv: context.unifiedVenv })?.references ??
        [],
      context.unifiedVenv,
    ),
  );
  if (context.options.docs) return result;
  // Reported only: each with the line it would become.
  const edits: Edit[] = result.edits;
  const applied = applyEdits(content, edits);
  const stays = new Set(result.skipped.map((entry) => entry.reference));
  const reported: SkippedReference[] = [...result.skipped];
  for (const reference of references) {
    if (reference.unified || stays.has(reference)) continue;
    const entry: SkippedReference = { reference, reason: REPORTED };
    if (applied.ok) entry.suggestion = suggestion(content, applied.text, edits, reference);
    reported.push(entry);
  }
  return { edits: [], skipped: reported, notes: [] };
}

export const rewriter: Rewriter = { rewrite: rewriteDocs };
