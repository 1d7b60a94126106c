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
import { coverageOf } from './detect.js';

/**
 * `.gitignore`: the unified venv ignored (the entry added to the root .gitignore only when
 * no .gitignore covers it yet), and entries of the venvs it replaces removed once those
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
  const entry = `${context.unifiedVenv}/`;
  const covered =
    coverageOf(content, context.file, context.unifiedVenv)?.ignored === true ||
    ignoredElsewhere(context);
  // Only the root .gitignore gains the entry: a pattern with a slash is read from there.
  let needsEntry = !covered && context.file === '.gitignore';

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
      const start = content.lastIndexOf('\n', reference.span.start - 1) + 1;
      const newline = content.indexOf('\n', reference.span.start);
      const end =
        newline === -1 ? content.length : content[newline - 1] === '\r' ? newline - 1 : newline;
      edits.push({
        start,
        end,
        replacement: entry,
        reason: `ignore ${context.unifiedVenv}, instead of the old ${venv}`,
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
    edits.push(appendLine(content, entry, `ignore ${context.unifiedVenv}`));
  }
  return {
    edits: mergeRemovals(keepEntryEffective(content, edits, entry, context)),
    skipped,
    notes,
  };
}

/**
 * The entry takes the old venv's line, unless a rule further down (`!.venv/`) would
 * un-ignore it there: then the old line goes and the entry is appended after that rule.
 */
function keepEntryEffective(
  content: string,
  edits: Edit[],
  entry: string,
  context: RewriteContext,
): Edit[] {
  const placed = edits.find((edit) => edit.replacement === entry && edit.start !== edit.end);
  if (!placed) return edits;
  const applied = applyEdits(content, mergeRemovals(edits));
  if (!applied.ok) return edits;
  if (coverageOf(applied.text, context.file, context.unifiedVenv)?.ignored === true) return edits;
  return [
    ...edits.filter((edit) => edit !== placed),
    { ...lineRange(content, placed.start), replacement: '', reason: placed.reason },
    appendLine(content, entry, `ignore ${context.unifiedVenv}`),
  ];
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
