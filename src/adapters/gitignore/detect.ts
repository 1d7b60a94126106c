import { type IgnoreFile, isIgnored, parseIgnoreFile } from '../../core/scan/gitignore.js';
import { isVenvLikeName, normalizeRelative } from '../shared/paths.js';
import { ReferenceSink } from '../shared/sink.js';
import type { DetectContext, DetectResult } from '../types.js';

/**
 * Venv entries of `.gitignore` files. Pattern matching is the core's gitignore(5) rules
 * (the same ones discovery walks with); this adapter adds where each entry sits in the
 * file and what it means for venvs.
 */

type Meta = Record<string, string | number | boolean | string[]>;

export interface GitignoreEntry {
  /** The pattern as written, trailing blanks trimmed (leading `!` included). */
  pattern: string;
  /** Offsets of `pattern` in the file's text. */
  start: number;
  end: number;
  line: number;
  negated: boolean;
  /** The rules of this one line, for matching. */
  rules: IgnoreFile;
  /** The same pattern without its `!`: does the line match a path at all? */
  matcher: IgnoreFile;
}

/** Repo-relative directory of a .gitignore ('' for the root). */
export function baseOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash === -1 ? '' : file.slice(0, slash);
}

/** Every pattern line, with its position; blank lines and comments are skipped. */
export function readEntries(text: string, base: string): GitignoreEntry[] {
  const entries: GitignoreEntry[] = [];
  let offset = 0;
  let line = 0;
  while (offset <= text.length) {
    line++;
    const newline = text.indexOf('\n', offset);
    const lineEnd = newline === -1 ? text.length : newline;
    const raw = text.slice(offset, lineEnd).replace(/\r$/, '');
    const rules = parseIgnoreFile(raw, base);
    if (rules.rules.length === 1) {
      // Trailing spaces are not part of the pattern unless escaped (gitignore(5)).
      let end = raw.length;
      while (end > 0 && raw[end - 1] === ' ' && raw[end - 2] !== '\\') end--;
      const pattern = raw.slice(0, end);
      const negated = pattern.startsWith('!');
      entries.push({
        pattern,
        start: offset,
        end: offset + end,
        line,
        negated,
        rules,
        matcher: negated ? parseIgnoreFile(pattern.slice(1), base) : rules,
      });
    }
    if (newline === -1) break;
    offset = newline + 1;
  }
  return entries;
}

/**
 * Is `path` (repo-relative) ignored by these .gitignore files (ordered root first)? A path
 * inside an ignored directory is ignored whatever later rules say, as in git.
 */
export function isPathIgnored(
  files: readonly IgnoreFile[],
  path: string,
  isDirectory: boolean,
): boolean {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    if (isIgnored(applicable(files, dir), dir, true)) return true;
  }
  return isIgnored(applicable(files, path), path, isDirectory);
}

function applicable(files: readonly IgnoreFile[], path: string): IgnoreFile[] {
  return files.filter((file) => file.base === '' || path.startsWith(`${file.base}/`));
}

/** Python-flavoured .gitignore: makes a bare `env/` believable as a venv. */
/**
 * Python entries besides the unified venv's own: the entry adopt adds must not turn an
 * `env/` line written for something else into a venv (the rewrite would not confirm).
 */
function looksPython(entries: readonly GitignoreEntry[], unifiedVenv: string): boolean {
  return entries.some(
    (entry) =>
      entry.pattern.replace(/^\/+|\/+$/g, '') !== unifiedVenv &&
      entry.pattern.replace(/^\/+/, '') !== siblingsEntry(unifiedVenv) &&
      /(?:__pycache__|\*\.py[cdo]?|\.py\[cod\]|\.egg-info|\.python-version|venv)/i.test(
        entry.pattern,
      ),
  );
}

const GLOB = /[*?[]/;

/**
 * The entry adopt writes for the files onevenv keeps beside the venv: the environment
 * lock (`.venv.lock`, its `.break` guard and their temporary files) and a venv moved
 * aside during a rebuild (`.venv.onevenv-trash-*`). They sit beside it, never inside,
 * because a rebuild renames the venv directory.
 */
export function siblingsEntry(unifiedVenv: string): string {
  return `${unifiedVenv}.*`;
}

/** One name of each kind of file beside the venv, with whether it is a directory. */
export function siblingPaths(unifiedVenv: string): Array<[string, boolean]> {
  return [
    [`${unifiedVenv}.lock`, false],
    [`${unifiedVenv}.lock.break`, false],
    [`${unifiedVenv}.lock.4242.0123abcd.tmp`, false],
    [`${unifiedVenv}.lock.break.4242.0123abcd.tmp`, false],
    [`${unifiedVenv}.onevenv-trash-0123abcd`, true],
  ];
}

/**
 * Does this one .gitignore ignore every file beside the venv? Undefined when the file
 * cannot apply (it sits outside the venv's ancestors).
 */
export function siblingsIgnoredBy(
  text: string,
  file: string,
  unifiedVenv: string,
): boolean | undefined {
  const base = baseOf(file);
  if (base !== '' && !unifiedVenv.startsWith(`${base}/`)) return undefined;
  const whole = parseIgnoreFile(text, base);
  return siblingPaths(unifiedVenv).every(([p, isDirectory]) =>
    isPathIgnored([whole], p, isDirectory),
  );
}

/** An entry for the files beside the venv (`python/.venv.*`), not for a venv. */
function namesSiblingsOnly(entry: GitignoreEntry, base: string, unifiedVenv: string): boolean {
  if (base !== '' && !unifiedVenv.startsWith(`${base}/`)) return false;
  return (
    !isPathIgnored([entry.matcher], unifiedVenv, true) &&
    isPathIgnored([entry.matcher], `${unifiedVenv}.lock`, false)
  );
}

/** Last segment of a pattern; a backslash is an escape here, never a separator. */
function basename(pattern: string): string {
  return pattern.slice(pattern.lastIndexOf('/') + 1);
}

/** The venv directory a pattern names, as written, or undefined when it names none. */
function venvPatternOf(entry: GitignoreEntry, pythonFile: boolean): string | undefined {
  if (entry.negated) return undefined;
  let pattern = entry.pattern;
  const directoryOnly = pattern.endsWith('/');
  pattern = pattern.replace(/\/+$/, '').replace(/^\//, '');
  // `scripts/.venv/**` and `.venv/*` ignore a venv's contents: the same venv.
  pattern = pattern.replace(/(?:\/\*\*?)+$/, '');
  const name = basename(pattern);
  if (name === '' || name === '**') return undefined;
  // `venv.txt`, `venv.py`: files that happen to be named so (`venv.bak` is a venv backup).
  if (/\.(?!venv$|bak$)[a-z]{1,4}$/i.test(name) && !name.startsWith('.')) return undefined;
  if (/venv|virtualenv/i.test(name)) return pattern;
  // `env/`, `ENV/`, `.env/`: a venv only in a Python .gitignore and as a directory (a bare
  // `.env` is a dotenv file).
  if (isVenvLikeName(name) && directoryOnly && pythonFile) return pattern;
  return undefined;
}

export interface UnifiedVenvCoverage {
  ignored: boolean;
  /** The entry that decides, when one does: 'file:line pattern'. */
  decidedBy?: string;
}

/**
 * Does this one .gitignore ignore the unified venv? Undefined when the file cannot apply
 * (it sits outside the venv's ancestors).
 */
export function coverageOf(
  text: string,
  file: string,
  unifiedVenv: string,
): UnifiedVenvCoverage | undefined {
  const base = baseOf(file);
  if (base !== '' && !unifiedVenv.startsWith(`${base}/`)) return undefined;
  const entries = readEntries(text, base);
  const whole = parseIgnoreFile(text, base);
  const ignored = isPathIgnored([whole], unifiedVenv, true);
  // The deciding entry: the last one whose own rule matches the venv or one of its parents.
  const parts = unifiedVenv.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  const decisive = entries.findLast((entry) =>
    candidates.some((path) => isIgnored([entry.matcher], path, true)),
  );
  const result: UnifiedVenvCoverage = { ignored };
  if (decisive) result.decidedBy = `${file}:${decisive.line} ${decisive.pattern}`;
  return result;
}

export function detectGitignoreReferences(
  content: string,
  file: string,
  context: DetectContext,
): DetectResult | null {
  const base = baseOf(file);
  const entries = readEntries(content, base);
  if (entries.length === 0) return null;
  const pythonFile = looksPython(entries, context.unifiedVenv);
  const coverage = coverageOf(content, file, context.unifiedVenv);
  const sink = new ReferenceSink(content, file, 'gitignore');
  for (const entry of entries) {
    let named = venvPatternOf(entry, pythonFile);
    if (named === undefined) continue;
    if (namesSiblingsOnly(entry, base, context.unifiedVenv)) continue;
    // A leading `**/` matches at any depth, which is what an unanchored name does.
    while (named.startsWith('**/')) named = named.slice(3);
    let written = entry.pattern.replace(/\/+$/, '');
    while (written.startsWith('**/')) written = written.slice(3);
    const anchored = written.includes('/');
    // An escaped character is literal; only unescaped wildcards make a glob.
    const glob = GLOB.test(named.replace(/\\./g, ''));
    if (!glob) named = named.replace(/\\(.)/g, '$1');
    const matchesUnified =
      (base === '' || context.unifiedVenv.startsWith(`${base}/`)) &&
      isPathIgnored([entry.rules], context.unifiedVenv, true);
    const relative = anchored ? named : basename(named);
    const environment = matchesUnified
      ? context.unifiedVenv
      : normalizeRelative(base === '' ? relative : `${base}/${relative}`);
    const meta: Meta = {
      pattern: entry.pattern,
      anyDepth: !anchored,
      coversUnifiedVenv: matchesUnified,
    };
    if (glob) meta.glob = true;
    if (coverage) {
      meta.unifiedVenvIgnored = coverage.ignored;
      if (coverage.decidedBy !== undefined) meta.unifiedVenvDecidedBy = coverage.decidedBy;
    }
    sink.add(entry.start, entry.end, {
      kind: 'gitignore-entry',
      consumer: `gitignore ${file}`,
      environment,
      meta,
    });
  }
  return sink.references.length === 0 ? null : { references: sink.references };
}

export function isGitignoreFile(file: string): boolean {
  return basename(file) === '.gitignore';
}

/**
 * Is the unified venv ignored by the repository's .gitignore files together (`files` in
 * any order)? Adopt adds an entry only when it is not; check reports it. Deeper files
 * decide before shallower ones, and an ignored parent directory wins, as in git.
 */
export function unifiedVenvCoverage(
  files: ReadonlyArray<{ file: string; content: string }>,
  unifiedVenv: string,
): UnifiedVenvCoverage {
  const applicableFiles = files
    .map(({ file, content }) => ({ file, content, base: baseOf(file) }))
    .filter(({ base }) => base === '' || unifiedVenv.startsWith(`${base}/`))
    .sort(
      (a, b) =>
        a.base.split('/').length - b.base.split('/').length || a.base.length - b.base.length,
    );
  const rules = applicableFiles.map(({ content, base }) => parseIgnoreFile(content, base));
  const result: UnifiedVenvCoverage = { ignored: isPathIgnored(rules, unifiedVenv, true) };
  for (const { file, content } of [...applicableFiles].reverse()) {
    const decidedBy = coverageOf(content, file, unifiedVenv)?.decidedBy;
    if (decidedBy !== undefined) {
      result.decidedBy = decidedBy;
      break;
    }
  }
  return result;
}
