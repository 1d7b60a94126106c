import { applyEdits } from '../../core/adopt/apply-edits.js';
import { appendLine, lineRange } from '../../core/adopt/text.js';
import type {
  Edit,
  RewriteContext,
  RewriteResult,
  Rewriter,
  SkippedReference,
} from '../../core/adopt/types.js';
import type { ScanReference } from '../../core/scan/model.js';
import { coverageOf, siblingsEntry, siblingsIgnoredBy } from './detect.js';

/**
 * `.gitignore`: the unified venv ignored (the entry added to the root .gitignore only when
 * no .gitignore covers it yet) together with the files onevenv keeps beside it
 * (`python/.venv.*`: the environment lock, a venv moved aside mid-rebuild), and entries of the venvs it replaces removed once those
 * are gone from disk. While an old venv still exists its entry stays: dropping it would
 * put the whole venv in front of `git add`.
 */

function removeCommand(venv: string): string {
  return /^[\w./-]+$/.test(venv) ? `rm -rf ${venv}` : `rm -rf '${venv.replace(/'/g, "'\\''")}'`;
}

/** Is the unified venv ignored by some other .gitignore, as scan saw it? */
function ignoredElsewhere(context: RewriteContext): boolean {
  return context.references.some(
    (reference) =>
      reference.adapter === 'gitignore' &&
      reference.file !== context.file &&
      reference.meta?.unifiedVenvIgnored === true,
  );
}

function rewriteGitignore(
  content: string,
  references: ScanReference[],
  context: RewriteContext,
): RewriteResult {
  const edits: Edit[] = [];
  const skipped: SkippedReference[] = [];
  const notes: string[] = [];
  const venvName = context.unifiedVenv;
  const entry = `${venvName}/`;
  const siblings = siblingsEntry(venvName);
  const here = coverageOf(content, context.file, venvName);
  const coveredHere = here?.ignored === true;
  const covered = coveredHere || ignoredElsewhere(context);
  // Only the root .gitignore gains the entry: a pattern with a slash is read from there.
  const root = context.file === '.gitignore';
  let needsEntry = !covered && root;
  // The files beside the venv go with the venv's own entry: written with it, or added to
  // a root .gitignore that already ignores the venv (an older adopt wrote `python/.venv/`
  // alone). When another .gitignore ignores the venv, that file is the user's to extend.
  const needsSiblings =
    root &&
    (needsEntry || coveredHere) &&
    siblingsIgnoredBy(content, context.file, venvName) !== true;
  const block = needsSiblings ? `${entry}\n${siblings}` : entry;

  for (const reference of references) {
    if (reference.unified) continue;
    const meta = reference.meta ?? {};
    const venv = reference.environment;
    if (meta.anyDepth === true || meta.glob === true) {
      skipped.push({
        reference,
        reason: `${reference.text} ignores venvs by name anywhere, not one venv: kept (remove it by hand if nothing needs it)`,
      });
      continue;
    }
    if (context.venvsOnDisk.includes(venv)) {
      skipped.push({
        reference,
        reason: `${venv} still exists: the entry stays until it is removed (${removeCommand(venv)}), then run adopt again`,
      });
      continue;
    }
    if (needsEntry) {
      // The old venv's line becomes the new one, where the user keeps venv entries.
      edits.push({
        ...lineContent(content, reference.span.start),
        replacement: block,
        reason: `ignore ${venvName}, instead of the old ${venv}`,
      });
      needsEntry = false;
      continue;
    }
    edits.push({
      ...lineRange(content, reference.span.start),
      replacement: '',
      reason: `the old ${venv} is gone`,
    });
  }
  if (needsEntry) {
    edits.push(appendLine(content, block, `ignore ${venvName}`));
  } else if (needsSiblings && coveredHere) {
    // Right after the entry that ignores the venv, so the two read as one; first, so an
    // insert at the end of that line goes before a removal of the next one.
    const line = decidingLine(here.decidedBy, context.file);
    const siblingsReason = `ignore the files onevenv keeps beside ${venvName}`;
    edits.unshift(
      line === undefined
        ? appendLine(content, siblings, siblingsReason)
        : {
            start: lineContent(content, offsetOfLine(content, line)).end,
            end: lineContent(content, offsetOfLine(content, line)).end,
            replacement: `\n${siblings}`,
            reason: siblingsReason,
          },
    );
  }
  return {
    edits: mergeRemovals(keepEntryEffective(content, edits, needsSiblings, context)),
    skipped,
    notes,
  };
}

/** The line (1-based) of `file:line pattern`, when `decidedBy` names one in `file`. */
function decidingLine(decidedBy: string | undefined, file: string): number | undefined {
  if (decidedBy === undefined || !decidedBy.startsWith(`${file}:`)) return undefined;
  const line = Number.parseInt(decidedBy.slice(file.length + 1), 10);
  return Number.isInteger(line) && line > 0 ? line : undefined;
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const newline = text.indexOf('\n', offset);
    if (newline === -1) return text.length;
    offset = newline + 1;
  }
  return offset;
}

/** The line holding `offset`, without its line ending. */
function lineContent(text: string, offset: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const newline = text.indexOf('\n', offset);
  const end = newline === -1 ? text.length : text[newline - 1] === '\r' ? newline - 1 : newline;
  return { start, end };
}

/**
 * The entry takes the old venv's line (the sibling entry the deciding entry's), unless a
 * rule further down (`!.venv/`, `!*.lock`) would un-ignore it there: then what was placed
 * goes last instead, where it wins.
 */
function keepEntryEffective(
  content: string,
  edits: Edit[],
  needsSiblings: boolean,
  context: RewriteContext,
): Edit[] {
  const placed = edits.filter((edit) => edit.replacement !== '' && edit.start !== content.length);
  if (placed.length === 0) return edits;
  const applied = applyEdits(content, mergeRemovals(edits));
  if (!applied.ok) return edits;
  const venvIgnored = coverageOf(applied.text, context.file, context.unifiedVenv)?.ignored === true;
  const siblingsIgnored =
    !needsSiblings || siblingsIgnoredBy(applied.text, context.file, context.unifiedVenv) === true;
  if (venvIgnored && siblingsIgnored) return edits;
  const out = edits.filter((edit) => !placed.includes(edit));
  for (const edit of placed) {
    // A replaced line goes; an insert at a line's end is dropped.
    if (edit.start !== edit.end) {
      out.push({ ...lineRange(content, edit.start), replacement: '', reason: edit.reason });
    }
    out.push(appendLine(content, edit.replacement.replace(/^\n/, ''), edit.reason));
  }
  return out;
}

/**
 * Removing the last line (without a line ending) takes the line ending before it, which
 * the removal of the line above also takes: adjacent removals become one.
 */
function mergeRemovals(edits: Edit[]): Edit[] {
  const out: Edit[] = [];
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    const previous = out.at(-1);
    if (
      previous &&
      previous.replacement === '' &&
      edit.replacement === '' &&
      edit.start < previous.end
    ) {
      previous.end = Math.max(previous.end, edit.end);
      continue;
    }
    out.push({ ...edit });
  }
  return out;
}

export const rewriter: Rewriter = {
  extraFiles: () => ['.gitignore'],
  rewrite: rewriteGitignore,
};
