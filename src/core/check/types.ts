/**
 * The result model of `onevenv check`. Each check says what it looked at (`target`),
 * whether it holds, what it saw (`detail`) and, when it fails, the command or edit that
 * fixes it (`fix`).
 */

/** In report order. */
export const CHECK_KINDS = [
  'import',
  'mcp',
  'cmake',
  'abi',
  'lock',
  'generated',
  'gitignore',
  'stray-venv',
  'worktree',
] as const;

export type CheckKind = (typeof CHECK_KINDS)[number];

export interface CheckResult {
  /** Unique within a run and stable across runs: `<kind>` or `<kind>:<what>`. */
  id: string;
  kind: CheckKind;
  /** What was checked, as a person names it (`codebase (.mcp.json)`, `build/debug: target docs`). */
  target: string;
  ok: boolean;
  /** What was seen; for a failure, what broke (may hold several lines, e.g. a server's stderr). */
  detail: string;
  /** For a failure: the command or edit that fixes it. */
  fix?: string;
  /** Listed but not run (a remote MCP server without --network, no build directory). */
  skipped?: true;
  /** Passed with a caveat worth reading (an extension module whose ABI cannot be told). */
  warning?: true;
}

export interface CheckReport {
  ok: boolean;
  checks: CheckResult[];
}

export function isCheckKind(value: string): value is CheckKind {
  return (CHECK_KINDS as readonly string[]).includes(value);
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Kind in report order, then id by code units: the same on every machine. */
export function compareChecks(a: CheckResult, b: CheckResult): number {
  return CHECK_KINDS.indexOf(a.kind) - CHECK_KINDS.indexOf(b.kind) || compareStrings(a.id, b.id);
}

/** A check with its keys in one order, so JSON output is byte-stable. */
export function makeCheck(fields: CheckResult): CheckResult {
  const check: CheckResult = {
    id: fields.id,
    kind: fields.kind,
    target: fields.target,
    ok: fields.ok,
    detail: fields.detail,
  };
  if (fields.fix !== undefined) check.fix = fields.fix;
  if (fields.skipped) check.skipped = true;
  if (fields.warning) check.warning = true;
  return check;
}

export function passed(kind: CheckKind, id: string, target: string, detail: string): CheckResult {
  return makeCheck({ id, kind, target, ok: true, detail });
}

export function failed(
  kind: CheckKind,
  id: string,
  target: string,
  detail: string,
  fix: string,
): CheckResult {
  return makeCheck({ id, kind, target, ok: false, detail, fix });
}

export function skipped(kind: CheckKind, id: string, target: string, detail: string): CheckResult {
  return makeCheck({ id, kind, target, ok: true, detail, skipped: true });
}
