/**
 * .gitignore rules for the walk outside a git repository (inside one, git itself
 * answers). Hand-written rather than a dependency: it runs only on that rare path, and
 * the rules below are the whole of gitignore(5) that matters for a file list — blank
 * lines and comments, `\` escapes, trailing-space trimming, `!` negation, a trailing `/`
 * for directories, anchoring by a leading or inner `/`, `*`, `?`, `[...]` and `**`.
 * A file inside an ignored directory is never re-included (the walk does not enter it),
 * which is git's rule too.
 */

interface Rule {
  regex: RegExp;
  negated: boolean;
  directoryOnly: boolean;
  /** No inner or leading slash: matched against the basename at any depth. */
  basenameOnly: boolean;
}

/** The rules of one .gitignore, relative to the directory that holds it. */
export interface IgnoreFile {
  /** Repo-relative directory of the .gitignore ('' for the root). */
  base: string;
  rules: Rule[];
}

function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ') {
    // An escaped space ('\ ') is kept.
    if (end > 1 && line[end - 2] === '\\') break;
    end--;
  }
  return line.slice(0, end);
}

function escapeRegex(char: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
}

/** Translates one glob (slashes already handled by the caller) into a regex source. */
function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '\\' && i + 1 < glob.length) {
      out += escapeRegex(glob[++i]!);
      continue;
    }
    if (char === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const next = glob[i + 2];
        if (atStart && next === '/') {
          // '**/' : zero or more directories.
          out += '(?:.*/)?';
          i += 2;
          continue;
        }
        if (atStart && next === undefined) {
          // trailing '/**': everything inside.
          out += '.*';
          i += 1;
          continue;
        }
      }
      // Any other run of stars is an ordinary '*'.
      while (glob[i + 1] === '*') i++;
      out += '[^/]*';
      continue;
    }
    if (char === '?') {
      out += '[^/]';
      continue;
    }
    if (char === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close !== -1) {
        let body = glob.slice(i + 1, close);
        if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
        continue;
      }
    }
    out += escapeRegex(char);
  }
  return out;
}

export function parseIgnoreFile(text: string, base: string): IgnoreFile {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = trimTrailingSpaces(raw);
    if (line === '' || line.startsWith('#')) continue;
    let negated = false;
    if (line.startsWith('!')) {
      negated = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
      line = line.slice(1);
    }
    let directoryOnly = false;
    if (line.endsWith('/') && !line.endsWith('\\/')) {
      directoryOnly = true;
      line = line.replace(/\/+$/, '');
    }
    if (line === '') continue;
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    rules.push({
      regex: new RegExp(`^${globToRegex(line)}$`),
      negated,
      directoryOnly,
      basenameOnly: !anchored,
    });
  }
  return { base, rules };
}

/**
 * The verdict of one file's rules for `relative` (path below its base): true ignored,
 * false re-included by a negation, undefined when no rule matches.
 */
function verdict(file: IgnoreFile, relative: string, isDirectory: boolean): boolean | undefined {
  const slash = relative.lastIndexOf('/');
  const basename = slash === -1 ? relative : relative.slice(slash + 1);
  for (let i = file.rules.length - 1; i >= 0; i--) {
    const rule = file.rules[i]!;
    if (rule.directoryOnly && !isDirectory) continue;
    if (rule.regex.test(rule.basenameOnly ? basename : relative)) return !rule.negated;
  }
  return undefined;
}

/**
 * Is `path` (repo-relative) ignored by the .gitignore files that apply to it?
 * `files` is ordered from the root down; the deepest file with a matching rule decides.
 */
export function isIgnored(
  files: readonly IgnoreFile[],
  path: string,
  isDirectory: boolean,
): boolean {
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i]!;
    const relative = file.base === '' ? path : path.slice(file.base.length + 1);
    const result = verdict(file, relative, isDirectory);
    if (result !== undefined) return result;
  }
  return false;
}
