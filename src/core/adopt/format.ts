import { bold, dim, green, yellow } from '../../util/colors.js';
import { unifiedDiff } from '../../util/diff.js';
import type { ApplyOutcome } from './apply.js';
import type { AdoptPlan, PlannedFile, PlannedReference } from './types.js';

/** The diff of one planned file, as `git diff` would show it. */
export function fileDiff(file: PlannedFile): string {
  return unifiedDiff(file.file, file.before, file.after);
}

/** Every planned file's diff, in path order. */
export function planDiff(plan: AdoptPlan): string {
  return plan.files
    .map(fileDiff)
    .filter((diff) => diff !== '')
    .map((diff) => (diff.endsWith('\n') ? diff : `${diff}\n`))
    .join('');
}

/** The plan as `adopt --json` prints it: file texts replaced by their diffs. */
export function toPlanJson(plan: AdoptPlan, outcome?: ApplyOutcome): unknown {
  const json: Record<string, unknown> = {
    root: plan.root,
    unifiedVenv: plan.unifiedVenv,
    files: plan.files.map((file) => {
      const out: Record<string, unknown> = {
        file: file.file,
        action: file.action,
        origin: file.origin,
      };
      if (file.adapter) out.adapter = file.adapter;
      out.reasons = file.reasons;
      if (file.mode !== undefined) out.mode = `0${file.mode.toString(8)}`;
      out.diff = fileDiff(file);
      return out;
    }),
    lock: plan.lock,
    handled: plan.handled,
    unhandled: plan.unhandled,
    dependencyConflicts: plan.dependencyConflicts,
    oldVenvs: plan.oldVenvs,
    notes: plan.notes,
  };
  if (outcome) json.applied = outcome;
  return json;
}

function where(reference: PlannedReference): string {
  return `${reference.file}:${reference.line}`;
}

/** The human summary printed after the diff. */
export function formatSummary(plan: AdoptPlan, outcome?: ApplyOutcome): string {
  const lines: string[] = [];
  const creates = plan.files.filter((f) => f.action === 'create').length;
  const updates = plan.files.length - creates;
  if (plan.files.length === 0) {
    lines.push(bold('Nothing to change: the repository is already adopted.'));
  } else {
    const counts = [
      creates > 0 ? `${creates} to create` : '',
      updates > 0 ? `${updates} to change` : '',
    ].filter(Boolean);
    lines.push(
      bold(`${plan.files.length} file${plan.files.length === 1 ? '' : 's'}: ${counts.join(', ')}`),
    );
    for (const file of plan.files) {
      const verb = file.action === 'create' ? green('create') : yellow('change');
      lines.push(`  ${verb} ${file.file}: ${file.reasons.join('; ')}`);
    }
  }
  lines.push(
    plan.lock.action === 'current'
      ? `  ${plan.lock.file} is current`
      : `  ${plan.lock.file}: resolved once the files are written (${plan.lock.command})`,
  );
  if (plan.handled.length > 0) {
    lines.push('', bold(`Moved onto ${plan.unifiedVenv} (${plan.handled.length}):`));
    for (const reference of plan.handled) {
      lines.push(
        `  ${where(reference)} ${reference.consumer}: ${reference.environment} → ${plan.unifiedVenv}`,
      );
    }
  }
  if (plan.unhandled.length > 0) {
    lines.push('', bold(`Left as they are (${plan.unhandled.length}):`));
    for (const reference of plan.unhandled) {
      const suggestion = reference.suggestion ? ` (suggested: ${reference.suggestion})` : '';
      lines.push(
        `  ${where(reference)} ${reference.consumer} [${reference.category}]: ${reference.reason}${suggestion}`,
      );
    }
  }
  if (plan.dependencyConflicts.length > 0) {
    lines.push('', bold('Conflicting constraints:'));
    for (const conflict of plan.dependencyConflicts) lines.push(`  ${conflict.message}`);
  }
  if (plan.oldVenvs.length > 0) {
    lines.push('', bold('Old venvs on disk (adopt never deletes them):'));
    for (const venv of plan.oldVenvs) {
      const users = venv.consumers.length > 0 ? `, used by ${venv.consumers.join(', ')}` : '';
      lines.push(`  ${venv.path}${users}: remove with ${venv.removeCommand}`);
    }
  }
  if (plan.notes.length > 0) {
    lines.push('', bold('Notes:'));
    for (const note of plan.notes) lines.push(`  - ${note}`);
  }
  lines.push('');
  if (!outcome) {
    if (plan.files.length > 0)
      lines.push(dim('Dry run: nothing written. Run onevenv adopt --write to apply.'));
    return `${lines.join('\n')}\n`;
  }
  if (outcome.refused.length > 0) {
    lines.push(bold('Refused:'));
    for (const refused of outcome.refused) lines.push(`  ${refused.file}: ${refused.reason}`);
    lines.push(
      outcome.written.length === 0
        ? 'Nothing was written. Run onevenv adopt again to plan from the current files.'
        : `Written before the change was seen: ${outcome.written.join(', ')}. Run onevenv adopt again.`,
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Written: ${outcome.written.length === 0 ? 'nothing' : outcome.written.join(', ')}`);
  if (outcome.lock?.status === 'failed') {
    lines.push(
      `The lock was not written: ${outcome.lock.message}`,
      `Everything else is in place; run ${outcome.lock.command} once that is fixed, then python/setup.sh.`,
    );
  } else if (outcome.lock) {
    const states = {
      written: 'written',
      unchanged: 'unchanged',
      current: 'already current',
      failed: '',
    } as const;
    lines.push(`${plan.lock.file}: ${states[outcome.lock.status]}`);
  }
  if (outcome.proofFailures.length > 0) {
    lines.push(bold('Still off the unified venv after writing (please report):'));
    for (const failure of outcome.proofFailures) {
      lines.push(
        `  ${where(failure)} ${failure.consumer}: ${failure.text} (${failure.environment})`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
