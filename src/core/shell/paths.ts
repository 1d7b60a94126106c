import { ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN, type SkipReason } from '../../adapters/types.js';
import { ROOT, UNKNOWN } from './tokenize.js';

/**
 * Path facts for expanded shell values. A value is relative (to the current directory),
 * anchored at the repository root (leads with ROOT), absolute, or unknowable (holds UNKNOWN).
 */

export interface EnvironmentRef {
  environment: string;
  skipReason?: SkipReason;
}

/** A value anchored at the repository root, for `variables` given to `scanShell`. */
export function repoPath(relative: string): string {
  return ROOT + relative;
}

const PYTHON_NAME = /^(?:python|pythonw|pypy)(?:\d+(?:\.\d+)*)?(?:\.exe)?$/i;
const PY_LAUNCHER = /^py(?:\.exe)?$/i;
const PIP_NAME = /^pip(?:\d+(?:\.\d+)*)?(?:\.exe)?$/i;
const ACTIVATE_NAME = /^activate(?:\.(?:sh|bash|zsh|fish|csh|ps1|bat))?$/i;
const VENV_NAME = /venv|virtualenv/i;
/** Interpreters of the machine, not of a repository or a venv. */
const SYSTEM_PREFIXES = ['/usr', '/usr/local', '/', '/opt/homebrew', '/opt/local', '/bin'];

export function isPythonName(name: string): boolean {
  return PYTHON_NAME.test(name) || PY_LAUNCHER.test(name);
}

export function isPipName(name: string): boolean {
  return PIP_NAME.test(name);
}

export function isActivateName(name: string): boolean {
  return ACTIVATE_NAME.test(name);
}

export function isVenvLikeName(name: string): boolean {
  return VENV_NAME.test(name);
}

export function hasUnknown(value: string): boolean {
  return value.includes(UNKNOWN);
}

export function segments(value: string): string[] {
  return value.split(/[/\\]/);
}

export function lastSegment(value: string): string {
  const parts = segments(value);
  return parts[parts.length - 1] ?? '';
}

export function hasSeparator(value: string): boolean {
  return /[/\\]/.test(value);
}

/** Normalises '/'- or '\'-separated segments; leading '..' stay. '' for the root. */
export function normalizeSegments(parts: readonly string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') {
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.join('/');
}

export type Location =
  | { kind: 'repo'; path: string }
  | { kind: 'absolute'; path: string }
  | { kind: 'outside'; path: string }
  | { kind: 'unknown' };

/** Where a path-valued word points, given the current directory (null when unknown). */
export function locate(value: string, cwd: string | null): Location {
  if (hasUnknown(value)) return { kind: 'unknown' };
  const rootAt = value.lastIndexOf(ROOT);
  if (rootAt > 0) {
    // `x$ROOT/…` — the root path glued after other text is no real path.
    return { kind: 'unknown' };
  }
  if (rootAt === 0) return inRepo(normalizeSegments(segments(value.slice(1))));
  if (value.startsWith('/') || value.startsWith('~') || /^[A-Za-z]:[\\/]/.test(value)) {
    const lead = value.startsWith('/') ? '/' : '';
    return { kind: 'absolute', path: lead + normalizeSegments(segments(value)) };
  }
  if (cwd === null) return { kind: 'unknown' };
  return inRepo(normalizeSegments([...segments(cwd), ...segments(value)]));
}

function inRepo(path: string): Location {
  if (path === '..' || path.startsWith('../')) return { kind: 'outside', path };
  return { kind: 'repo', path };
}

/** The environment id of a venv directory named by `location`. */
export function environmentOfDir(location: Location): EnvironmentRef {
  switch (location.kind) {
    case 'unknown':
      return { environment: ENV_UNKNOWN, skipReason: 'contains-variable' };
    case 'repo':
      return { environment: location.path === '' ? '.' : location.path };
    case 'outside':
      return { environment: location.path, skipReason: 'external-interpreter' };
    case 'absolute':
      if (SYSTEM_PREFIXES.includes(location.path) || location.path.startsWith('/usr/')) {
        return { environment: ENV_SYSTEM };
      }
      if (/^\/(?:Library|System)\/Frameworks\//.test(location.path)) {
        return { environment: ENV_SYSTEM };
      }
      return { environment: location.path, skipReason: 'external-interpreter' };
  }
}

export function dirnameOf(value: string): string {
  const parts = segments(value);
  parts.pop();
  return parts.join('/');
}

/**
 * For `X/bin/NAME` or `X\Scripts\NAME` (or any path whose directory holds NAME), the
 * directory that is the environment: X, or the file's own directory when it is not in a
 * bin dir. Undefined for a bare name.
 */
export function environmentDirOf(value: string): string | undefined {
  if (!hasSeparator(value)) return undefined;
  const parts = segments(value);
  parts.pop();
  const parent = parts[parts.length - 1] ?? '';
  if (parent === 'bin' || parent.toLowerCase() === 'scripts') parts.pop();
  const dir = parts.join('/');
  if (dir === '' && value.startsWith('/')) return '/';
  return dir === '' ? '.' : dir;
}

/** Is the directory of this executable path a bin/Scripts dir? */
export function inBinDir(value: string): boolean {
  const parts = segments(value);
  const parent = parts[parts.length - 2] ?? '';
  return parent === 'bin' || parent.toLowerCase() === 'scripts';
}

/** The environment of an interpreter word: a path → its venv; a bare name → `bare`. */
export function environmentOfInterpreter(
  value: string,
  cwd: string | null,
  bare: EnvironmentRef | null,
): EnvironmentRef {
  const dir = environmentDirOf(value);
  if (dir === undefined) {
    if (hasUnknown(value)) return { environment: ENV_UNKNOWN, skipReason: 'contains-variable' };
    return bare ?? { environment: ENV_PATH_PYTHON };
  }
  return environmentOfDir(locate(dir, cwd));
}

/** A repo-relative path for meta, or the value as written when it cannot be resolved. */
export function describePath(value: string, raw: string, cwd: string | null): string {
  const location = locate(value, cwd);
  if (location.kind === 'unknown') return raw;
  if (location.kind === 'repo') return location.path === '' ? '.' : location.path;
  return location.path;
}
