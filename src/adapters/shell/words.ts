import { splitTopLevel } from './commands.js';

/**
 * Shell words for paths on the unified venv: quoting, and moving a venv path as written
 * so what stands before the venv (`$SCRIPT_DIR/`, `../`) keeps its place.
 */

/** The unified venv as shell text; `expands` when it must stand inside double quotes. */
export interface Fragment {
  text: string;
  expands: boolean;
  /** Relative to the directory the script has moved to, so `$PWD/` before a path holds. */
  relative?: boolean;
  /** Expands, yet needs no quotes: what it expands to has no blanks (`$GITHUB_WORKSPACE`). */
  unquoted?: boolean;
}

const PYTHON_NAME = /^(?:python|pythonw|pypy)(?:\d+(?:\.\d+)*)?(?:\.exe)?$/i;
const CWD_LEAD = /\$\(\s*pwd\s*\)|`pwd`|\$\{?PWD\b/;

function relativeSegments(from: string, to: string): string[] {
  const a = from === '' || from === '.' ? [] : from.split('/');
  const b = to === '' || to === '.' ? [] : to.split('/');
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...a.slice(common).map(() => '..'), ...b.slice(common)];
}

/** `to` (repo-relative) from directory `from` (repo-relative). */
export function relativePath(from: string, to: string): string {
  return relativeSegments(from, to).join('/') || '.';
}

/** Escapes text for the inside of a double-quoted shell string. */
export function inDoubleQuotes(text: string): string {
  return text.replace(/["$`\\]/g, '\\$&');
}

/** A shell word for a plain path: as is when safe, else single-quoted. */
function shellWord(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** `fragment` followed by plain `rest`, as one word in the quoting context `quote`. */
export function composeWord(fragment: Fragment, rest: string, quote: string): string {
  if (quote === '' && fragment.unquoted === true && /^[\w@%+=:,./-]*$/.test(rest)) {
    return `${fragment.text}${rest}`;
  }
  if (quote === '"' || (quote === '' && fragment.expands)) {
    const head = fragment.expands ? fragment.text : inDoubleQuotes(fragment.text);
    return `"${head}${inDoubleQuotes(rest)}"`;
  }
  if (quote === "'") {
    if (fragment.expands) return `"${fragment.text}${inDoubleQuotes(rest)}"`;
    return `'${`${fragment.text}${rest}`.replace(/'/g, "'\\''")}'`;
  }
  return shellWord(`${fragment.text}${rest}`);
}

/** The text inside one pair of quotes around the whole of `raw`, and the quote. */
export function unquoteWhole(raw: string): { quote: string; body: string } {
  if (raw.length >= 2 && raw[0] === "'" && raw.endsWith("'") && !raw.slice(1, -1).includes("'")) {
    return { quote: "'", body: raw.slice(1, -1) };
  }
  if (raw.length >= 2 && raw[0] === '"' && raw.endsWith('"')) {
    const pieces = splitTopLevel(raw, () => false);
    // One double-quoted string: nothing of the word lies outside the quotes.
    let depth = 0;
    let closesEarly = false;
    for (let i = 1; i < raw.length - 1; i++) {
      const c = raw[i]!;
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '$' && (raw[i + 1] === '(' || raw[i + 1] === '{')) depth++;
      else if ((c === ')' || c === '}') && depth > 0) depth--;
      else if (c === '"' && depth === 0) closesEarly = true;
    }
    if (pieces.length === 1 && !closesEarly) return { quote: '"', body: raw.slice(1, -1) };
  }
  return { quote: '', body: raw };
}

/** The venv tail of a path: `/bin/python3`, `/bin/activate`, a console script, or ''. */
function venvTail(body: string, python3: boolean): { dir: string; rest: string } | undefined {
  const match = /^(.*?)\/(bin|Scripts)(?:\/([^/]*))?$/s.exec(body);
  if (!match || match[1] === '') return { dir: body, rest: '' };
  const name = match[3];
  if (match[2] === 'Scripts' || name?.toLowerCase().endsWith('.exe')) return undefined;
  if (name === undefined) return { dir: match[1]!, rest: '/bin' };
  if (PYTHON_NAME.test(name))
    return { dir: match[1]!, rest: `/bin/${name === 'python' && !python3 ? name : 'python3'}` };
  return { dir: match[1]!, rest: `/bin/${name}` };
}

function plainSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !/[$"'`~\\]/.test(segment);
}

/**
 * A path word naming venv `environment`, moved onto the unified venv. What stands for a
 * directory before the venv (`$SCRIPT_DIR/`, `$(git rev-parse --show-toplevel)/`) stays;
 * a relative path, or one built on the current directory, is spelled by `venvAt`. An
 * interpreter becomes `python3` (`python` stays, unless `python3`).
 */
export function moveWord(
  raw: string,
  environment: string,
  unified: string,
  venv: () => Fragment | undefined,
  python3 = false,
): string | undefined {
  const { quote, body } = unquoteWhole(raw);
  const tail = venvTail(body, python3);
  if (tail === undefined) return undefined;
  const segments = tail.dir.split('/');
  const envSegments = environment === '.' || environment === '' ? [] : environment.split('/');
  for (let k = 0; k < segments.length; k++) {
    const tailSegments = segments.slice(k);
    if (!tailSegments.every(plainSegment) || tailSegments.length > envSegments.length) continue;
    const offset = envSegments.length - tailSegments.length;
    if (!tailSegments.every((segment, i) => segment === envSegments[offset + i])) continue;
    const lead = segments.slice(0, k);
    const cwdLead = CWD_LEAD.test(lead.join('/'));
    if (cwdLead || lead.every((s) => s === '.' || s === '..')) {
      const fragment = venv();
      if (fragment === undefined) return undefined;
      // `$PWD/…` after the script moved to a known directory stays absolute, as written.
      if (!(cwdLead && fragment.relative === true)) return composeWord(fragment, tail.rest, quote);
    }
    const base = envSegments.slice(0, offset).join('/');
    const moved = [...lead, ...relativeSegments(base, unified)].join('/');
    return `${quote}${moved}${quote === '"' ? inDoubleQuotes(tail.rest) : tail.rest}${quote}`;
  }
  return undefined;
}
