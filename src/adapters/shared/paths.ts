import { environmentOfDir, isPythonName } from '../../core/shell/paths.js';
import { ENV_PATH_PYTHON, ENV_UNKNOWN, type SkipReason } from '../types.js';

/**
 * Path facts for values found in data files (JSON settings, MCP commands). Shell text goes
 * through the shared shell scanner instead; these helpers only look at one path-shaped value.
 */

export interface RepoPathOptions {
  /** Repo-relative directory relative paths are resolved against ('.' for the root). */
  cwd: string;
  /** Variable names that stand for the repository root, e.g. `workspaceFolder`. */
  rootVariables?: readonly string[];
  /** Absolute paths that stand for the repository root (a devcontainer's workspaceFolder). */
  rootPaths?: readonly string[];
  /** Prefixes that stand for the repository root when no rootPaths entry matches (`^/workspaces/[^/]+`). */
  rootPathPatterns?: readonly RegExp[];
}

export interface RepoPath {
  /** Repo-relative and normalised when relative; absolute or `~` paths stay as written ('/'-separated). */
  path: string;
  /** True when a variable the adapter cannot resolve remains in the value. */
  unresolved: boolean;
  /** True when the value was relative to the repository (after resolving root variables). */
  inRepo: boolean;
}

/** `${…}`, `$NAME` and `%NAME%` are all ways a config value can defer to a variable. */
export function hasVariable(value: string): boolean {
  return /\$\{[^}]*\}|\$[A-Za-z_]|%[A-Za-z_][A-Za-z0-9_]*%/.test(value);
}

/** Normalises a '/'-separated relative path; leading '..' segments are kept. */
export function normalizeRelative(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') {
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.length === 0 ? '.' : out.join('/');
}

export function joinRepoPath(dir: string, rel: string): string {
  if (dir === '' || dir === '.') return normalizeRelative(rel);
  return normalizeRelative(`${dir}/${rel}`);
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('~') || /^[A-Za-z]:\//.test(p);
}

/** Resolves a path-shaped config value against the repository. */
export function resolveRepoPath(value: string, options: RepoPathOptions): RepoPath {
  let p = value.trim().replace(/\\/g, '/');
  let fromRoot = false;
  for (const name of options.rootVariables ?? []) {
    const token = `\${${name}}`;
    if (p === token || p.startsWith(`${token}/`)) {
      p = p.slice(token.length).replace(/^\/+/, '');
      fromRoot = true;
      break;
    }
  }
  if (!fromRoot) {
    for (const root of options.rootPaths ?? []) {
      const r = root.replace(/\/+$/, '');
      if (r !== '' && (p === r || p.startsWith(`${r}/`))) {
        p = p.slice(r.length).replace(/^\/+/, '');
        fromRoot = true;
        break;
      }
    }
  }
  if (!fromRoot) {
    for (const pattern of options.rootPathPatterns ?? []) {
      const match = pattern.exec(p);
      if (match?.index === 0 && (p.length === match[0].length || p[match[0].length] === '/')) {
        p = p.slice(match[0].length).replace(/^\/+/, '');
        fromRoot = true;
        break;
      }
    }
  }
  if (hasVariable(p)) return { path: p, unresolved: true, inRepo: false };
  if (!fromRoot && isAbsolute(p)) {
    return { path: p.length > 1 ? p.replace(/\/+$/, '') : p, unresolved: false, inRepo: false };
  }
  const path = fromRoot ? normalizeRelative(p) : joinRepoPath(options.cwd, p);
  return { path, unresolved: false, inRepo: true };
}

// One rule for what names an interpreter, shared with the shell scanner.
export { isPythonName } from '../../core/shell/paths.js';

/** Does a directory name read like a virtual environment (.venv, venv311, tools-venv, .virtualenvs)? */
export function isVenvLikeName(name: string): boolean {
  return /venv|virtualenv/i.test(name) || /^\.?env$/i.test(name);
}

export function basename(p: string): string {
  // No replace and split: this runs on every path a scan lists (MCP config routing).
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

export interface ExecutableInfo {
  environment: string;
  skipReason?: SkipReason;
  /** The executable is a Python interpreter (not a console script of a venv). */
  interpreter: boolean;
  /** The value resolved to this path (repo-relative when inside the repository). */
  resolved: string;
}

/** The environment id of a directory given as a resolved path (see resolveRepoPath), as the shell scanner reads it. */
export function environmentOfDirectory(
  path: string,
  inRepo: boolean,
): {
  environment: string;
  skipReason?: SkipReason;
} {
  if (!inRepo) return environmentOfDir({ kind: 'absolute', path });
  if (path === '..' || path.startsWith('../')) return environmentOfDir({ kind: 'outside', path });
  return environmentOfDir({ kind: 'repo', path });
}

/**
 * What environment an executable named in data belongs to, by the same rules the shell
 * scanner applies to a command word: a Python interpreter (`scripts/.venv/bin/python3` →
 * `scripts/.venv`, `python3` → on PATH, `/usr/bin/python3` → system) or a console script
 * in a venv's bin dir (`tools/.venv/bin/fastmcp`). Undefined when the executable has
 * nothing to do with Python (`node`, `scripts/run.sh`).
 */
export function classifyExecutable(
  value: string,
  options: RepoPathOptions,
): ExecutableInfo | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const resolved = resolveRepoPath(trimmed, options);
  const name = basename(resolved.path);
  const interpreter = isPythonName(name);
  const parts = resolved.path.split('/');
  parts.pop();
  const parent = parts[parts.length - 1] ?? '';
  const inBin = parent === 'bin' || parent.toLowerCase() === 'scripts';
  const dirParts = inBin ? parts.slice(0, -1) : parts;
  const venvTool = inBin && dirParts.length > 0 && isVenvLikeName(dirParts[dirParts.length - 1]!);
  if (resolved.unresolved) {
    if (!interpreter && !inBin) return undefined;
    return {
      environment: ENV_UNKNOWN,
      skipReason: 'contains-variable',
      interpreter,
      resolved: resolved.path,
    };
  }
  if (!/[/\\]/.test(trimmed) && resolved.inRepo) {
    if (!interpreter) return undefined;
    return { environment: ENV_PATH_PYTHON, interpreter, resolved: resolved.path };
  }
  if (!interpreter && !venvTool) return undefined;
  let dir = dirParts.join('/');
  if (dir === '' && resolved.path.startsWith('/')) dir = '/';
  const env = environmentOfDirectory(dir === '' ? '.' : dir, resolved.inRepo);
  const info: ExecutableInfo = {
    environment: env.environment,
    interpreter,
    resolved: resolved.path,
  };
  if (env.skipReason !== undefined) info.skipReason = env.skipReason;
  return info;
}

/**
 * The workspace a config file belongs to: its own directory, or the directory above the
 * dot directory it sits in (`.vscode/tasks.json`, `.cursor/mcp.json`,
 * `.devcontainer/python/devcontainer.json`, `.kiro/settings/mcp.json` → the directory above).
 */
export function workspaceOf(file: string): string {
  const parts = file.split('/');
  parts.pop();
  const dot = parts.findIndex((part) => part.startsWith('.') && part !== '.' && part !== '..');
  const dir = dot === -1 ? parts : parts.slice(0, dot);
  return dir.length === 0 ? '.' : dir.join('/');
}

/** Placeholders a PYTHONPATH value uses to extend the value it inherits. */
const INHERITED_PYTHONPATH =
  /^(?:\$PYTHONPATH|\$\{PYTHONPATH\}|\$\{(?:env|containerEnv|localEnv):PYTHONPATH\})$/;

/** Splits on `separator` except inside `${…}` (`${env:PYTHONPATH}` holds a ':'). */
export function splitOutsideBraces(value: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '$' && value[i + 1] === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    if (ch === separator && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

export interface PythonPathEntries {
  /** Entries resolved repo-relative (absolute ones as written; unresolvable ones as written). */
  paths: string[];
  /** Some entry holds a variable the adapter cannot resolve. */
  unresolved: boolean;
  /** The value extends the inherited PYTHONPATH. */
  appends: boolean;
}

/** PYTHONPATH entries (`:`-separated, `;` when the value uses it) resolved against `options.cwd`. */
export function pythonPathEntries(value: string, options: RepoPathOptions): PythonPathEntries {
  const separator = value.includes(';') ? ';' : ':';
  const result: PythonPathEntries = { paths: [], unresolved: false, appends: false };
  // A Windows drive letter (`C:\…`) only matters with ';' separators, which keep it whole.
  for (const entry of splitOutsideBraces(value, separator)) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    if (INHERITED_PYTHONPATH.test(trimmed)) {
      result.appends = true;
      continue;
    }
    const resolved = resolveRepoPath(trimmed, options);
    if (resolved.unresolved) result.unresolved = true;
    result.paths.push(resolved.path);
  }
  return result;
}

/**
 * The environment of a value that is known to name an interpreter (an editor's interpreter
 * setting): like classifyExecutable, but any name counts, and a venv directory given
 * instead of its interpreter (`"scripts/.venv"`) is that venv.
 */
export function environmentOfInterpreterSetting(
  value: string,
  options: RepoPathOptions,
): { environment: string; skipReason?: SkipReason; resolved: string } {
  const info = classifyExecutable(value, options);
  if (info) {
    const result: { environment: string; skipReason?: SkipReason; resolved: string } = {
      environment: info.environment,
      resolved: info.resolved,
    };
    if (info.skipReason !== undefined) result.skipReason = info.skipReason;
    return result;
  }
  const resolved = resolveRepoPath(value, options);
  if (resolved.unresolved) {
    return { environment: ENV_UNKNOWN, skipReason: 'contains-variable', resolved: resolved.path };
  }
  if (!/[/\\]/.test(value.trim()) && !isVenvLikeName(value.trim())) {
    return { environment: ENV_UNKNOWN, skipReason: 'unsupported', resolved: resolved.path };
  }
  const name = basename(resolved.path);
  let dir = resolved.path;
  if (!isVenvLikeName(name)) {
    const parts = resolved.path.split('/');
    parts.pop();
    const parent = parts[parts.length - 1] ?? '';
    if (parent === 'bin' || parent.toLowerCase() === 'scripts') parts.pop();
    dir = parts.join('/') || (resolved.path.startsWith('/') ? '/' : '.');
  }
  return { ...environmentOfDirectory(dir, resolved.inRepo), resolved: resolved.path };
}
