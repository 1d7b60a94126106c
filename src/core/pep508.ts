import { validRange } from '@renovatebot/pep440';

/**
 * PEP 508 dependency specifiers. No maintained JavaScript parser exists (pep440 covers
 * versions and specifiers only), so this is a small recursive-descent parser for the
 * grammar in the spec; version specifiers are delegated to @renovatebot/pep440.
 */

export interface Requirement {
  /** As written. */
  raw: string;
  name: string;
  /** PEP 503 normalised: lowercase, runs of -_. folded to '-'. */
  normalizedName: string;
  extras: string[];
  /** e.g. ">=1.2,<2" (whitespace removed), '' when none. */
  specifier: string;
  url?: string;
  marker?: string;
}

export type ParseResult = { ok: true; requirement: Requirement } | { ok: false; error: string };

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const MARKER_VARS = new Set([
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
  // PEP 751 / 735 era additions
  'extras',
  'dependency_groups',
  // legacy aliases still accepted by packaging
  'os.name',
  'sys.platform',
  'platform.version',
  'platform.machine',
  'platform.python_implementation',
  'python_implementation',
]);

export function parseRequirement(input: string): ParseResult {
  const raw = input;
  let rest = input.trim();
  if (rest === '') return { ok: false, error: 'empty requirement' };
  const nameMatch = NAME.exec(rest);
  if (!nameMatch) return { ok: false, error: `'${input}' does not start with a package name` };
  const name = nameMatch[0];
  rest = rest.slice(name.length).trimStart();
  const extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) return { ok: false, error: `unclosed '[' in '${input}'` };
    const inner = rest.slice(1, close).trim();
    if (inner !== '') {
      for (const extra of inner.split(',')) {
        const trimmed = extra.trim();
        if (!NAME.test(trimmed) || NAME.exec(trimmed)![0] !== trimmed) {
          return { ok: false, error: `invalid extra '${trimmed}' in '${input}'` };
        }
        extras.push(trimmed);
      }
    }
    rest = rest.slice(close + 1).trimStart();
  }
  let url: string | undefined;
  let specifier = '';
  let marker: string | undefined;
  const semicolon = findMarkerStart(rest);
  let versionPart = semicolon === -1 ? rest : rest.slice(0, semicolon);
  const markerPart = semicolon === -1 ? undefined : rest.slice(semicolon + 1).trim();
  versionPart = versionPart.trim();
  if (versionPart.startsWith('@')) {
    url = versionPart.slice(1).trim();
    if (url === '' || /\s/.test(url)) return { ok: false, error: `invalid URL in '${input}'` };
  } else if (versionPart !== '') {
    let spec = versionPart;
    if (spec.startsWith('(')) {
      if (!spec.endsWith(')')) return { ok: false, error: `unbalanced '(' in '${input}'` };
      spec = spec.slice(1, -1);
    }
    specifier = spec.replace(/\s+/g, '');
    if (specifier !== '' && !validSpecifier(specifier)) {
      return { ok: false, error: `invalid version specifier '${spec.trim()}' in '${input}'` };
    }
  }
  if (markerPart !== undefined) {
    const markerError = validateMarker(markerPart);
    if (markerError) return { ok: false, error: `invalid marker in '${input}': ${markerError}` };
    marker = markerPart;
  }
  const requirement: Requirement = {
    raw,
    name,
    normalizedName: normalizeName(name),
    extras,
    specifier,
  };
  if (url !== undefined) requirement.url = url;
  if (marker !== undefined) requirement.marker = marker;
  return { ok: true, requirement };
}

/** In `pkg @ url ; marker` the marker needs whitespace before ';' (URLs may hold ';'). */
function findMarkerStart(text: string): number {
  if (text.trimStart().startsWith('@')) {
    const match = /\s;/.exec(text);
    return match ? match.index + 1 : -1;
  }
  return text.indexOf(';');
}

const CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)(.+)$/;

export function validSpecifier(specifier: string): boolean {
  const clauses = specifier.split(',');
  for (const clause of clauses) {
    const match = CLAUSE.exec(clause.trim());
    if (!match) return false;
    const version = match[2]!;
    if (match[1] === '===') continue; // arbitrary equality: any string
    if (version.endsWith('.*') && match[1] !== '==' && match[1] !== '!=') return false;
    if (!validRange(`${match[1]}${version}`)) return false;
  }
  return true;
}

/** Returns an error message, or undefined when the marker parses. */
export function validateMarker(marker: string): string | undefined {
  const tokenized = tokenizeMarker(marker);
  if (typeof tokenized === 'string') return tokenized;
  const tokens: MarkerToken[] = tokenized;
  let pos = 0;
  const peek = () => tokens[pos];
  function expr(): string | undefined {
    const left = term();
    if (left) return left;
    while (peek()?.value === 'or') {
      pos++;
      const right = term();
      if (right) return right;
    }
    return undefined;
  }
  function term(): string | undefined {
    const left = atom();
    if (left) return left;
    while (peek()?.value === 'and') {
      pos++;
      const right = atom();
      if (right) return right;
    }
    return undefined;
  }
  function value(): string | undefined {
    const token = tokens[pos];
    if (!token) return 'unexpected end';
    if (token.type === 'string') {
      pos++;
      return undefined;
    }
    if (token.type === 'word' && MARKER_VARS.has(token.value)) {
      pos++;
      return undefined;
    }
    return `unknown marker variable '${token.value}'`;
  }
  function atom(): string | undefined {
    const token = peek();
    if (!token) return 'unexpected end';
    if (token.value === '(') {
      pos++;
      const inner = expr();
      if (inner) return inner;
      if (peek()?.value !== ')') return "missing ')'";
      pos++;
      return undefined;
    }
    const left = value();
    if (left) return left;
    const op = peek();
    if (op?.type !== 'op') return `expected a comparison after '${tokens[pos - 1]?.value}'`;
    pos++;
    if (op.value === 'not') {
      if (peek()?.value !== 'in') return "expected 'in' after 'not'";
      pos++;
    }
    return value();
  }
  const error = expr();
  if (error) return error;
  if (pos !== tokens.length) return `unexpected '${tokens[pos]?.value}'`;
  return undefined;
}

interface MarkerToken {
  type: 'string' | 'word' | 'op' | 'paren';
  value: string;
}

function tokenizeMarker(text: string): MarkerToken[] | string {
  const tokens: MarkerToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ type: 'paren', value: ch });
      i++;
    } else if (ch === '"' || ch === "'") {
      const end = text.indexOf(ch, i + 1);
      if (end === -1) return 'unterminated string';
      tokens.push({ type: 'string', value: text.slice(i + 1, end) });
      i = end + 1;
    } else {
      const op = /^(===|==|!=|<=|>=|~=|<|>)/.exec(text.slice(i));
      if (op) {
        tokens.push({ type: 'op', value: op[0] });
        i += op[0].length;
        continue;
      }
      const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
      if (!word) return `unexpected '${ch}'`;
      const value = word[0];
      const type = value === 'in' || value === 'not' ? 'op' : 'word';
      tokens.push({ type, value });
      i += value.length;
    }
  }
  return tokens;
}
