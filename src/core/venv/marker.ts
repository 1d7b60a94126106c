import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The state marker inside the venv. Written `installing` before anything in the venv is
 * changed and `ready` (with the fingerprint of every input) last, each time atomically,
 * so a venv whose marker says ready was completely built for exactly those inputs.
 *
 * This module is on the no-op path of `sync`, `run` and `which`: node built-ins only.
 */

export const MARKER_FILE = '.onevenv-state.json';
/**
 * 2: identities are integers (nanosecond mtimes from bigint stats) so that the standalone
 * python/setup.sh, which writes the same marker from Python's `os.stat`, computes them
 * byte for byte; float milliseconds formatted by two languages would not agree.
 */
export const MARKER_FORMAT = 2;

export type MarkerState = 'installing' | 'ready';

export interface ImportFailure {
  group: string;
  module: string;
  error: string;
}

export interface MarkerPython {
  /** The base interpreter the venv was built from, as found. */
  base: string;
  /** `bin/python` of the venv resolved through its symlinks (the base's real file). */
  real: string;
  /**
   * device:inode:size:mtime-ns of `real` (decimal integers): a replaced binary (an upgrade
   * in place) changes it.
   */
  identity: string;
  version: string;
}

export interface Marker {
  format: number;
  state: MarkerState;
  /** onevenv version that wrote it. */
  tool: string;
  /** Absolute venv path it was built for: a copied or moved venv is not ready. */
  venv: string;
  /** Absolute path → sha256 of the bytes, or null when the file was absent. */
  inputs: Record<string, string | null>;
  /** sha256 over everything that decides the venv's content (see `fingerprintOf`). */
  fingerprint: string;
  python: MarkerPython;
  installer: 'uv' | 'pip';
  /** `current`: checked against the declaration; `unchecked`: installed with --frozen. */
  lockState: 'current' | 'unchecked';
  editables: string[];
  paths: string[];
  /**
   * site-packages and its inode:mtime-ns when the venv was marked ready: installing or
   * removing a package by hand changes the directory, so one stat notices it.
   */
  site: { path: string; identity: string };
  packages: number;
  imports: { ok: boolean; failed: ImportFailure[] };
  updatedAt: string;
}

export function markerPath(venv: string): string {
  return path.join(venv, MARKER_FILE);
}

export function venvPython(venv: string): string {
  return process.platform === 'win32'
    ? path.join(venv, 'Scripts', 'python.exe')
    : path.join(venv, 'bin', 'python');
}

export function venvBin(venv: string): string {
  return process.platform === 'win32' ? path.join(venv, 'Scripts') : path.join(venv, 'bin');
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hashFileSync(file: string): string | null {
  try {
    return sha256(readFileSync(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    // Unreadable (a directory, no permission): a value no hash equals, so it reads as changed.
    return `unreadable:${code ?? 'error'}`;
  }
}

/** `inode:mtime-ns`; Python's `f"{st.st_ino}:{st.st_mtime_ns}"` is the same text. */
export function dirIdentity(dir: string): string | undefined {
  try {
    const stat = statSync(dir, { bigint: true });
    return `${stat.ino}:${stat.mtimeNs}`;
  } catch {
    return undefined;
  }
}

/** `dev:inode:size:mtime-ns`; Python's os.stat fields give the same text. */
export function fileIdentity(file: string): string | undefined {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  } catch {
    return undefined;
  }
}

export function realPathOrUndefined(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Everything that decides the venv's content, in one hash. python/setup.sh computes the
 * same hash in Python (`json.dumps(..., separators=(",", ":"), ensure_ascii=False)` with the
 * input files sorted by UTF-16 code units): keep the shape plain JSON of strings.
 */
export function fingerprintOf(
  marker: Pick<Marker, 'tool' | 'venv' | 'inputs' | 'python' | 'editables' | 'paths'>,
): string {
  const inputs = Object.keys(marker.inputs)
    .sort()
    .map((file) => [file, marker.inputs[file]]);
  return sha256(
    JSON.stringify({
      format: MARKER_FORMAT,
      tool: marker.tool,
      venv: marker.venv,
      inputs,
      python: [marker.python.base, marker.python.version, marker.python.identity],
      editables: marker.editables,
      paths: marker.paths,
    }),
  );
}

export type MarkerRead =
  | { kind: 'absent' }
  | { kind: 'corrupt'; reason: string }
  | { kind: 'ok'; marker: Marker };

export function readMarker(venv: string): MarkerRead {
  let text: string;
  try {
    text = readFileSync(markerPath(venv), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    return { kind: 'corrupt', reason: `cannot read it (${code})` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { kind: 'corrupt', reason: 'it is not valid JSON (truncated?)' };
  }
  const marker = data as Partial<Marker>;
  if (
    typeof marker !== 'object' ||
    marker === null ||
    marker.format !== MARKER_FORMAT ||
    (marker.state !== 'ready' && marker.state !== 'installing') ||
    typeof marker.venv !== 'string' ||
    typeof marker.fingerprint !== 'string' ||
    typeof marker.inputs !== 'object' ||
    marker.inputs === null ||
    typeof marker.python !== 'object' ||
    marker.python === null ||
    !Array.isArray(marker.editables) ||
    !Array.isArray(marker.paths) ||
    typeof marker.site !== 'object' ||
    marker.site === null ||
    typeof marker.imports !== 'object'
  ) {
    return { kind: 'corrupt', reason: 'it does not hold the fields onevenv writes' };
  }
  return { kind: 'ok', marker: marker as Marker };
}

export interface Staleness {
  ready: boolean;
  /** Why it is not ready, most important first (empty when ready). */
  reasons: string[];
}

export interface EvaluateOptions {
  toolVersion: string;
  /** The venv path the current configuration names. */
  venv: string;
  /** `--frozen`: a lock installed without checking it against the declaration is fine. */
  frozen: boolean;
  /** Shows paths relative to the repository in reasons. */
  display: (file: string) => string;
}

/**
 * Is the venv ready for the current inputs? File reads, hashing and stat only: no Python
 * process, no parsing of the declaration (its bytes are one of the inputs).
 */
export function evaluateMarker(marker: Marker, options: EvaluateOptions): Staleness {
  const reasons: string[] = [];
  if (marker.venv !== options.venv) {
    reasons.push(`the venv was built at ${marker.venv}, not here`);
  }
  if (marker.state !== 'ready') {
    reasons.push('a sync did not finish (interrupted or failed)');
  }
  if (marker.tool !== options.toolVersion) {
    reasons.push(`built by onevenv ${marker.tool}, this is ${options.toolVersion}`);
  }
  for (const [file, digest] of Object.entries(marker.inputs)) {
    const now = hashFileSync(file);
    if (now === digest) continue;
    const name = options.display(file);
    if (digest === null) reasons.push(`${name} was created since the last sync`);
    else if (now === null) reasons.push(`${name} was deleted since the last sync`);
    else reasons.push(`${name} changed since the last sync`);
  }
  if (!options.frozen && marker.lockState !== 'current') {
    reasons.push('the lock was installed with --frozen, without checking it is current');
  }
  try {
    statSync(path.join(options.venv, 'pyvenv.cfg'));
  } catch {
    reasons.push(`${options.display(path.join(options.venv, 'pyvenv.cfg'))} is missing`);
  }
  const real = realPathOrUndefined(venvPython(options.venv));
  if (real === undefined) {
    reasons.push(
      `the venv's interpreter no longer resolves (base interpreter ${marker.python.base} vanished or moved)`,
    );
  } else if (real !== marker.python.real) {
    reasons.push(`the venv's interpreter now resolves to ${real}, not ${marker.python.real}`);
  } else if (fileIdentity(real) !== marker.python.identity) {
    reasons.push(`the base interpreter ${real} was replaced (upgraded?)`);
  }
  if (reasons.length === 0 && dirIdentity(marker.site.path) !== marker.site.identity) {
    reasons.push(
      `${options.display(marker.site.path)} changed since the last sync (a package installed or removed by hand?)`,
    );
  }
  if (reasons.length === 0 && fingerprintOf(marker) !== marker.fingerprint) {
    reasons.push('the state marker does not match its own fingerprint');
  }
  return { ready: reasons.length === 0, reasons };
}

let cachedVersion: string | undefined;

/** onevenv's own version (package.json beside dist/), read once. */
export function toolVersion(): string {
  if (cachedVersion === undefined) {
    const file = new URL('../../../package.json', import.meta.url);
    cachedVersion = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return cachedVersion;
}

/** What `sync --json` prints, from a marker (the no-op path answers without Python). */
export interface SyncResult {
  changed: boolean;
  venv: string;
  python: string;
  pythonVersion: string;
  installer: 'uv' | 'pip';
  packages: number;
  imports: { ok: boolean; failed: ImportFailure[] };
}

export function resultFromMarker(marker: Marker, changed: boolean): SyncResult {
  return {
    changed,
    venv: marker.venv,
    python: venvPython(marker.venv),
    pythonVersion: marker.python.version,
    installer: marker.installer,
    packages: marker.packages,
    imports: { ok: marker.imports.ok, failed: marker.imports.failed },
  };
}
