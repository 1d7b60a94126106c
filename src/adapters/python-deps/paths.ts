import path from 'node:path';

/**
 * The context a declaration belongs to, for grouping: the repo-relative directory of the
 * file that declares it ('.' at the root). Requirement files kept in a `requirements/`
 * (or `requirements.d/`) folder belong to the folder's parent, because that folder only
 * sorts the files of one project.
 */
export function contextOf(file: string): string {
  const parts = file.split('/');
  parts.pop();
  const last = parts[parts.length - 1];
  if (last !== undefined && /^requirements(\.d)?$/i.test(last)) parts.pop();
  return parts.length === 0 ? '.' : parts.join('/');
}

/** Repo-relative directory of a repo-relative file ('.' at the root). */
export function directoryOf(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === '' ? '.' : dir;
}

/**
 * `written` (a path from a dependency file) resolved against the repo-relative `base`
 * directory. Absolute paths stay absolute; the result may start with '..' when it leaves
 * the repository, which the core reports.
 */
export function resolveFrom(base: string, written: string): string {
  const posix = written.replace(/\\/g, '/');
  if (posix.startsWith('/') || /^[A-Za-z]:\//.test(posix)) return posix;
  const joined = path.posix.normalize(path.posix.join(base === '.' ? '' : base, posix));
  const trimmed = joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
  return trimmed === '' || trimmed === './' ? '.' : trimmed;
}

/** True for a file in the directory that holds the unified venv (python/ for python/.venv). */
export function besideUnifiedVenv(file: string, unifiedVenv: string): boolean {
  return directoryOf(file) === directoryOf(unifiedVenv.replace(/\/+$/, ''));
}

/** `${VAR}` or `$VAR`: pip expands the first form from the environment at install time. */
export function containsVariable(text: string): boolean {
  return /\$\{|\$[A-Za-z_]/.test(text);
}
