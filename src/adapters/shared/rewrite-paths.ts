import { isPythonName } from './paths.js';

/**
 * Moving a venv path as written onto the unified venv, for the rewriters of the adapters
 * that read data and shell text (MCP configs, VS Code, devcontainer, docs). The path keeps
 * its own spelling: its quotes, a `KEY=` in front, whatever stands for a directory before
 * the venv (`${workspaceFolder}/`, `$PWD/`, `/workspaces/repo/`, `../`), its separators and
 * its `bin/activate` or console-script tail. Only the part that names the venv changes, and
 * an interpreter in `bin/` becomes `bin/python3` (a `python3.11` may not exist in the new venv).
 */

function splitSegments(path: string): { segments: string[]; separator: string } {
  const separator = path.includes('/') || !path.includes('\\') ? '/' : '\\';
  return { segments: path.split(/[/\\]/), separator };
}

/** A segment that means itself (no variable, quote, blank, tilde or dot step). */
function plainSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !/[\s$"'`~\\]/.test(segment);
}

/** Segments of `to` seen from `from` (both repo-relative, '' for the root). */
export function relativeSegments(from: string, to: string): string[] {
  const a = from === '' || from === '.' ? [] : from.split('/');
  const b = to === '' || to === '.' ? [] : to.split('/');
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  const up = a.slice(common).map(() => '..');
  const down = b.slice(common);
  return [...up, ...down];
}

/** `to` (repo-relative) from directory `from` (repo-relative): 'python/.venv', '../python/.venv'. */
export function relativePath(from: string, to: string): string {
  return relativeSegments(from, to).join('/') || '.';
}

function unquote(text: string): { quote: string; body: string } {
  const quoted = /^(["'])(.*)\1$/s.exec(text);
  return quoted ? { quote: quoted[1]!, body: quoted[2]! } : { quote: '', body: text };
}

const VENV_TAIL = /^(.*?)([/\\])(bin|Scripts)(?:([/\\])([^/\\]*))?$/s;

export interface RewrittenPath {
  text: string;
  /**
   * The directory the path was read from, when the path was relative and names it
   * (`.venv/bin/activate` found as `replay/.venv` → `replay`): where the command ran.
   */
  cwd?: string;
}

/**
 * `written` names a file or directory of venv `environment` (repo-relative); returns it
 * naming the same thing in venv `unified`, or undefined when the written form does not
 * show where the venv part is (a variable for the whole venv, a path that does not end
 * with the venv's own segments).
 */
export function rewriteVenvPath(
  written: string,
  environment: string,
  unified: string,
): RewrittenPath | undefined {
  const outer = unquote(written);
  // `-DPython3_EXECUTABLE=…`, `VENV="…"`: the key stays; scan resolved the whole word.
  const key = /^[^\s/\\"'$=]*=/.exec(outer.body)?.[0] ?? '';
  const inner = unquote(outer.body.slice(key.length));
  const body = inner.body;
  const open = `${outer.quote}${key}${inner.quote}`;
  const close = `${inner.quote}${outer.quote}`;
  let env = environment;
  if (key !== '' && env.startsWith(key)) env = env.slice(key.length);
  // A venv outside the repository has no segments in common with the unified one.
  if (/^(?:[/\\~]|[A-Za-z]:)/.test(env)) return undefined;

  let dir = body;
  let rest = '';
  const venvTail = VENV_TAIL.exec(body);
  if (venvTail && venvTail[1] !== '') {
    dir = venvTail[1]!;
    const sep = venvTail[2]!;
    const bin = venvTail[3]!;
    const name = venvTail[5];
    if (name === undefined) rest = `${sep}${bin}`;
    else if (bin === 'bin' && isPythonName(name)) rest = `${sep}bin${sep}python3`;
    else rest = `${sep}${bin}${venvTail[4]!}${name}`;
  }
  const { segments, separator } = splitSegments(dir);
  const envSegments = env === '.' || env === '' ? [] : env.split('/');
  for (let k = 0; k < segments.length; k++) {
    const tailSegments = segments.slice(k);
    if (!tailSegments.every(plainSegment)) continue;
    if (tailSegments.length > envSegments.length) continue;
    const offset = envSegments.length - tailSegments.length;
    if (!tailSegments.every((segment, i) => segment === envSegments[offset + i])) continue;
    const base = envSegments.slice(0, offset).join('/');
    const lead = segments.slice(0, k);
    const moved = relativeSegments(base, unified);
    const newDir = [...lead, ...moved].join(separator) || '.';
    const result: RewrittenPath = { text: `${open}${newDir}${rest}${close}` };
    if (lead.every((segment) => segment === '.')) result.cwd = base;
    return result;
  }
  return undefined;
}
