import { bold, dim, green, red, yellow } from '../../util/colors.js';
import { CHECK_KINDS, type CheckReport, type CheckResult } from './types.js';

/** Human output of `onevenv check`: one block per kind, one line per check, then a summary. */

export function mark(check: CheckResult): string {
  if (!check.ok) return red('FAIL');
  if (check.skipped) return dim('skip');
  if (check.warning) return yellow('warn');
  return green('ok  ');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

export function formatCheck(check: CheckResult): string {
  const [first = '', ...rest] = check.detail.split('\n');
  const lines = [`  ${mark(check)}  ${check.target}: ${first}`];
  if (rest.length > 0) lines.push(indent(rest.join('\n'), '        '));
  if (check.fix !== undefined) lines.push(`        fix: ${check.fix}`);
  return lines.join('\n');
}

export function summarize(report: CheckReport): string {
  const total = report.checks.length;
  const failedCount = report.checks.filter((c) => !c.ok).length;
  const skippedCount = report.checks.filter((c) => c.skipped).length;
  const warnings = report.checks.filter((c) => c.warning).length;
  const passedCount = total - failedCount - skippedCount;
  const parts = [`${passedCount} passed`];
  if (failedCount > 0) parts.push(`${failedCount} failed`);
  if (skippedCount > 0) parts.push(`${skippedCount} not checked`);
  if (warnings > 0) parts.push(`${warnings} with a warning`);
  return `${total} check${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

export function formatReport(report: CheckReport): string {
  const blocks: string[] = [];
  for (const kind of CHECK_KINDS) {
    const checks = report.checks.filter((check) => check.kind === kind);
    if (checks.length === 0) continue;
    blocks.push([bold(kind), ...checks.map(formatCheck)].join('\n'));
  }
  blocks.push(report.ok ? summarize(report) : red(summarize(report)));
  return `${blocks.join('\n\n')}\n`;
}

/** The one line a finished check gets on stderr when stderr is not a terminal. */
export function progressLine(check: CheckResult): string {
  const word = !check.ok ? 'FAIL' : check.skipped ? 'skip' : check.warning ? 'warn' : 'ok';
  return `${word} ${check.kind} ${check.target}`;
}
