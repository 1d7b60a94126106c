import { repoPath, scanShell } from '../../core/shell/index.js';
import type { ReferenceKind, SkipReason, Span } from '../types.js';
import type { MappedText } from './mapped-text.js';

/** A shell finding mapped back onto the file's raw text. */
export interface ShellHit {
  kind: ReferenceKind;
  span: Span;
  environment: string;
  skipReason?: SkipReason;
  meta?: Record<string, string | number | boolean | string[]>;
}

export type ShellVariables = Record<string, string>;

export interface MappedShellOptions {
  /** Repo-relative directory the command runs in ('.' for the root). */
  cwd: string;
  /** Known variable values, as the shell scanner takes them (see `rootVariables`). */
  variables?: ShellVariables;
}

/** Variables whose value is the repository root (editor and container placeholders). */
export function rootVariables(names: readonly string[]): ShellVariables {
  const variables: ShellVariables = {};
  for (const name of names) variables[name] = repoPath('');
  return variables;
}

/** Runs the shared shell scanner over assembled text and maps its findings to raw spans. */
export function scanMappedShell(
  mapped: MappedText,
  options: MappedShellOptions,
): { hits: ShellHit[]; variables: ShellVariables } {
  const cwd = options.cwd === '.' ? '' : options.cwd;
  const result = scanShell(mapped.value, { cwd, variables: options.variables ?? {} });
  const hits: ShellHit[] = [];
  for (const finding of result.findings) {
    const span = mapped.rawSpan(finding.start, finding.end);
    if (!span) continue;
    const hit: ShellHit = { kind: finding.kind, span, environment: finding.environment };
    if (finding.skipReason !== undefined) hit.skipReason = finding.skipReason;
    if (finding.meta !== undefined) hit.meta = finding.meta;
    hits.push(hit);
  }
  return { hits, variables: result.variables };
}
