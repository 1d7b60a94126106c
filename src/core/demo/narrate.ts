import { bold, dim, green, red, yellow } from '../../util/colors.js';
import { log, output } from '../../util/log.js';
import { CRITERIA } from './criteria.js';
import type { Criterion } from './facts.js';

/** The story on stderr (progress); the acceptance table is the result, on stdout. */

let stepNumber = 0;

export function heading(text: string): void {
  stepNumber = 0;
  log.info(bold(text));
  log.info('');
}

export function step(name: string, ok: boolean | 'skipped', summary: string): void {
  stepNumber++;
  const mark = ok === 'skipped' ? yellow('–') : ok ? green('✓') : red('✗');
  log.info(`${mark} ${String(stepNumber).padStart(1)}  ${bold(name.padEnd(6))}  ${summary}`);
}

export function detail(line: string): void {
  log.info(`            ${dim(line)}`);
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${Math.round(seconds - minutes * 60)}s`;
}

/** The acceptance table: ✅/❌, the criterion, and the reason under it. */
/** `where`: how to name the repository in the last line (kept, or removed). */
export function formatTable(criteria: Criterion[], totalSeconds: number, where: string): string {
  const lines = [bold('Seed ticket acceptance (AC1–AC7)'), ''];
  for (const row of criteria) {
    const title = CRITERIA.find((c) => c.id === row.id)?.title ?? '';
    lines.push(`${row.ok ? '✅' : '❌'} ${row.id}  ${title}`);
    lines.push(`        ${row.ok ? row.detail : red(row.detail)}`);
  }
  const passed = criteria.filter((row) => row.ok).length;
  lines.push('');
  lines.push(
    `${passed === criteria.length ? green(`All ${passed} criteria pass`) : red(`${passed} of ${criteria.length} criteria pass`)} in ${formatSeconds(totalSeconds)}. ${where}`,
  );
  return lines.join('\n');
}

export function printTable(criteria: Criterion[], totalSeconds: number, where: string): void {
  output(formatTable(criteria, totalSeconds, where));
}
