import { promises as fs, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { satisfies } from '@renovatebot/pep440';
import { UserError } from '../util/errors.js';
import { runProcess } from '../util/exec.js';
import type { OnevenvConfig } from './config.js';
import { locateString } from './config.js';
import { readCachedFacts, writeCachedFacts } from './interpreter-cache.js';
import { CONFIG_FILE } from './root.js';
import { findUv } from './tools.js';

/**
 * Base-interpreter discovery: the Python a venv is built from. Candidates come from
 * `.python-version` pins, PATH (`python3.X`, `python3`), pyenv's versions directory and
 * `uv python find`, in that order of preference; the first that satisfies both
 * `requires-python` and the pin wins. pyenv shims are never used as a base: they are shell
 * scripts whose answer depends on the directory they run in, so the shims directory on
 * PATH is replaced by the bin directories of the versions pyenv would select.
 */

export interface Interpreter {
  /** The executable as found (not symlink-resolved: a venv records what it was built from). */
  path: string;
  /** `path` with every symlink resolved. */
  realPath: string;
  /** e.g. "3.11.7" */
  version: string;
  implementation: string;
  /** `ensurepip` importable: `python -m venv` can seed pip (Debian splits it into python3.X-venv). */
  ensurepip: boolean;
  /** The version of pip installed in the interpreter itself, if any. */
  pip: string | undefined;
  source: InterpreterSource;
}

export type InterpreterSource = 'python-version' | 'path' | 'pyenv' | 'uv' | 'uv-install';

export interface Rejection {
  path: string;
  version: string | undefined;
  reason: string;
}

export interface InterpreterRequest {
  /** `requires-python` from the declaration (a PEP 440 specifier set), if any. */
  requiresPython: string | undefined;
  /** Versions from `.python-version` (any one may match), empty when there is no file. */
  pins: string[];
  /** Where the pins came from, for messages. */
  pinFile: string | undefined;
  /** The line of each pin in `pinFile`, for messages. */
  pinLines?: number[];
}

export interface FindInterpreterOptions {
  /** Run `uv python install` when nothing on the machine fits (config `python-install`). */
  allowInstall?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Interpreters to ignore (the venv's own python, when rebuilding it). */
  exclude?: string[];
}

/** The pins of `.python-version` in python/ or else the repository root (pyenv's format). */
export function readPythonVersionPins(config: Pick<OnevenvConfig, 'root' | 'configDir'>): {
  pins: string[];
  file: string | undefined;
  /** The line (1-based) of each pin, for messages. */
  lines: number[];
} {
  for (const dir of [config.configDir, config.root]) {
    const file = path.join(dir, '.python-version');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const pins: string[] = [];
    const lines: number[] = [];
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '' || line === 'system') return;
      pins.push(line);
      lines.push(index + 1);
    });
    return { pins, file, lines };
  }
  return { pins: [], file: undefined, lines: [] };
}

export function interpreterRequest(
  config: Pick<OnevenvConfig, 'root' | 'configDir' | 'requiresPython'>,
): InterpreterRequest {
  const { pins, file, lines } = readPythonVersionPins(config);
  return { requiresPython: config.requiresPython, pins, pinFile: file, pinLines: lines };
}

/** `3.11` matches 3.11.x, `3.11.7` only itself, `cpython-3.11`/`python3.11` like `3.11`. */
export function pinMatches(pin: string, version: string): boolean {
  const match = /(\d+(?:\.\d+){0,2})/.exec(pin);
  if (!match) return false;
  const wanted = match[1]!.split('.');
  const have = version.split('.');
  return wanted.every((part, i) => have[i] === part);
}

/** Why `version` does not fit the request, or undefined when it does. */
export function rejectionReason(version: string, request: InterpreterRequest): string | undefined {
  const spec = request.requiresPython?.replace(/\s+/g, '');
  if (spec && !satisfies(version, spec)) {
    return `does not satisfy requires-python ${request.requiresPython}`;
  }
  if (request.pins.length > 0 && !request.pins.some((pin) => pinMatches(pin, version))) {
    const where = request.pinFile ? path.basename(request.pinFile) : '.python-version';
    return `does not match ${where} (${request.pins.join(', ')})`;
  }
  return undefined;
}

/** What an interpreter says about itself (python/setup.sh asks the same). */
export const QUERY_SCRIPT = [
  'import sys, json, importlib.util',
  'try:',
  '    import importlib.metadata',
  '    pip = importlib.metadata.version("pip")',
  'except Exception:',
  '    pip = None',
  'print(json.dumps({',
  ' "version": "%d.%d.%d" % sys.version_info[:3],',
  ' "implementation": sys.implementation.name,',
  ' "executable": sys.executable,',
  ' "prefix": sys.prefix,',
  ' "basePrefix": sys.base_prefix,',
  ' "ensurepip": importlib.util.find_spec("ensurepip") is not None,',
  ' "pip": pip,',
  '}))',
].join('\n');

/** QUERY_SCRIPT (python/setup.sh embeds it as it is) plus what the facts cache watches. */
const QUERY_WITH_DIRS_SCRIPT = QUERY_SCRIPT.replace(
  /}\)\)$/,
  ' "dirs": [__import__("sysconfig").get_path("stdlib"), __import__("sysconfig").get_path("purelib")],\n}))',
);

export interface InterpreterFacts {
  version: string;
  implementation: string;
  executable: string;
  prefix: string;
  basePrefix: string;
  ensurepip: boolean;
  pip: string | null;
  /** The standard library and site-packages: their changes can change ensurepip and pip. */
  dirs?: string[];
}

/**
 * `queryInterpreter`, answered from onevenv's cache while the executable, its standard
 * library and its site-packages are unchanged (see interpreter-cache.ts).
 */
export async function queryInterpreterCached(
  executable: string,
  real: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InterpreterFacts | { error: string }> {
  const cached = readCachedFacts<InterpreterFacts>(executable, real, env);
  if (cached) return cached;
  const facts = await queryInterpreter(executable, env);
  if (!('error' in facts)) {
    await writeCachedFacts(executable, real, facts.dirs ?? [], facts, env);
  }
  return facts;
}

/** Runs the interpreter once (isolated mode: no user site, no PYTHON* variables). */
export async function queryInterpreter(
  executable: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InterpreterFacts | { error: string }> {
  try {
    const result = await runProcess(executable, ['-I', '-c', QUERY_WITH_DIRS_SCRIPT], {
      env,
      timeoutMs: 30_000,
    });
    if (result.code !== 0) {
      const line = result.stderr.trim().split('\n').pop() ?? '';
      return {
        error: `failed to run (exit ${result.code ?? result.signal})${line ? `: ${line}` : ''}`,
      };
    }
    return JSON.parse(result.stdout) as InterpreterFacts;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') return { error: `cannot be run (${code})` };
    if (error instanceof SyntaxError) return { error: 'printed something that is not Python' };
    throw error;
  }
}

function pyenvRoot(env: NodeJS.ProcessEnv): string {
  return env.PYENV_ROOT || path.join(env.HOME || os.homedir(), '.pyenv');
}

/** The versions pyenv would select, as `versions/<name>` bin directories (pyenv's own rules). */
function pyenvSelectedBins(root: string, env: NodeJS.ProcessEnv, cwd: string): string[] {
  let names: string[] | undefined;
  if (env.PYENV_VERSION) names = env.PYENV_VERSION.split(':');
  if (!names) {
    let dir = cwd;
    for (;;) {
      try {
        names = readFileSync(path.join(dir, '.python-version'), 'utf8').split(/\s+/);
        break;
      } catch {
        // keep walking
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  if (!names) {
    try {
      names = readFileSync(path.join(root, 'version'), 'utf8').split(/\s+/);
    } catch {
      names = [];
    }
  }
  return names
    .map((name) => name.trim())
    .filter((name) => name !== '' && name !== 'system')
    .map((name) => path.join(root, 'versions', name, 'bin'));
}

const PYTHON_NAME = /^python3(?:\.(\d+))?$/;

function listPythonsIn(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  // python3.13 before python3.12 before python3: the most specific names first.
  return entries
    .filter((name) => PYTHON_NAME.test(name))
    .sort((a, b) => {
      const minor = (n: string) => Number(PYTHON_NAME.exec(n)?.[1] ?? -1);
      return minor(b) - minor(a);
    })
    .map((name) => path.join(dir, name));
}

function compareVersionsDesc(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pb[i] ?? 0) - (pa[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

interface Candidate {
  path: string;
  source: InterpreterSource;
  /** A version known from the name alone (`python3.9`, `versions/3.9.18`), for cheap rejection. */
  hint: string | undefined;
}

/** A venv's interpreter: pyvenv.cfg beside the executable or one level up (CPython's rule). */
function isVirtualEnvPython(executable: string): boolean {
  const bin = path.dirname(executable);
  for (const dir of [bin, path.dirname(bin)]) {
    try {
      statSync(path.join(dir, 'pyvenv.cfg'));
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

function gatherCandidates(
  request: InterpreterRequest,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Candidate[] {
  const root = pyenvRoot(env);
  const shims = path.join(root, 'shims');
  const out: Candidate[] = [];
  const pyenvVersions: Array<{ name: string; bin: string }> = [];
  try {
    for (const name of readdirSync(path.join(root, 'versions'))) {
      if (/^\d+\.\d+\.\d+$/.test(name)) {
        pyenvVersions.push({ name, bin: path.join(root, 'versions', name, 'bin') });
      }
    }
  } catch {
    // no pyenv
  }
  pyenvVersions.sort((a, b) => compareVersionsDesc(a.name, b.name));

  // Pinned versions first, where pyenv keeps them by name.
  for (const pin of request.pins) {
    for (const version of pyenvVersions) {
      if (pinMatches(pin, version.name)) {
        out.push({
          path: path.join(version.bin, 'python3'),
          source: 'python-version',
          hint: version.name,
        });
      }
    }
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const dirs = path.resolve(dir) === shims ? pyenvSelectedBins(root, env, cwd) : [dir];
    for (const bin of dirs) {
      for (const file of listPythonsIn(bin)) {
        const minor = PYTHON_NAME.exec(path.basename(file))?.[1];
        const versionDir = /versions[/\\](\d+\.\d+\.\d+)[/\\]bin$/.exec(bin)?.[1];
        out.push({
          path: file,
          source: 'path',
          hint: versionDir ?? (minor === undefined ? undefined : `3.${minor}`),
        });
      }
    }
  }
  for (const version of pyenvVersions) {
    out.push({ path: path.join(version.bin, 'python3'), source: 'pyenv', hint: version.name });
  }
  return out;
}

function realPathOf(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/** A version hint "3.9" cannot satisfy ">=3.10" whatever its patch: reject without running it. */
function hintRejection(hint: string, request: InterpreterRequest): string | undefined {
  const parts = hint.split('.');
  if (parts.length === 3) return rejectionReason(hint, request);
  // Only major.minor known: it fails if neither x.y.0 nor x.y.999 fits.
  const low = rejectionReason(`${hint}.0`, request);
  const high = rejectionReason(`${hint}.999`, request);
  return low && high ? low : undefined;
}

function uvRequest(request: InterpreterRequest): string | undefined {
  const parts: string[] = [];
  if (request.pins[0]) {
    const match = /(\d+(?:\.\d+){0,2})/.exec(request.pins[0]);
    if (match) return match[1];
  }
  if (request.requiresPython) parts.push(request.requiresPython.replace(/\s+/g, ''));
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** Every interpreter considered and the one chosen (or why none was). */
export interface Discovery {
  chosen: Interpreter | undefined;
  rejected: Rejection[];
}

export async function discoverInterpreter(
  request: InterpreterRequest,
  options: FindInterpreterOptions & { cwd?: string } = {},
): Promise<Discovery> {
  const env = options.env ?? process.env;
  const rejected: Rejection[] = [];
  const seen = new Set<string>(options.exclude?.map((p) => realPathOf(p) ?? p) ?? []);

  async function consider(candidate: Candidate): Promise<Interpreter | undefined> {
    // A venv's python resolves to a base that may be found again outside the venv: the
    // venv is rejected by its own path, the base is still a candidate.
    if (isVirtualEnvPython(candidate.path)) {
      if (!seen.has(candidate.path)) {
        seen.add(candidate.path);
        rejected.push({
          path: candidate.path,
          version: undefined,
          reason: 'is a virtual environment',
        });
      }
      return undefined;
    }
    const real = realPathOf(candidate.path);
    if (!real || seen.has(real)) return undefined;
    seen.add(real);
    if (candidate.hint) {
      const reason = hintRejection(candidate.hint, request);
      if (reason) {
        rejected.push({ path: candidate.path, version: candidate.hint, reason });
        return undefined;
      }
    }
    const facts = await queryInterpreterCached(candidate.path, real, env);
    if ('error' in facts) {
      rejected.push({ path: candidate.path, version: undefined, reason: facts.error });
      return undefined;
    }
    if (facts.prefix !== facts.basePrefix) {
      rejected.push({
        path: candidate.path,
        version: facts.version,
        reason: 'is a virtual environment',
      });
      return undefined;
    }
    const reason = rejectionReason(facts.version, request);
    if (reason) {
      rejected.push({ path: candidate.path, version: facts.version, reason });
      return undefined;
    }
    return {
      path: candidate.path,
      realPath: real,
      version: facts.version,
      implementation: facts.implementation,
      ensurepip: facts.ensurepip,
      pip: facts.pip ?? undefined,
      source: candidate.source,
    };
  }

  for (const candidate of gatherCandidates(request, env, options.cwd ?? process.cwd())) {
    const found = await consider(candidate);
    if (found) return { chosen: found, rejected };
  }

  const uv = findUv(env);
  if (uv) {
    const wanted = uvRequest(request);
    const found = await uvFind(uv, wanted, env);
    if (found) {
      const interpreter = await consider({ path: found, source: 'uv', hint: undefined });
      if (interpreter) return { chosen: interpreter, rejected };
    }
    if (options.allowInstall) {
      const installed = await uvInstall(uv, wanted, env);
      const interpreter = await consider({
        path: installed,
        source: 'uv-install',
        hint: undefined,
      });
      if (interpreter) return { chosen: interpreter, rejected };
    }
  }
  return { chosen: undefined, rejected };
}

async function uvFind(
  uv: string,
  wanted: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const args = ['python', 'find', '--system', '--no-project', '--no-python-downloads'];
  if (wanted) args.push(wanted);
  const result = await runProcess(uv, args, { env, timeoutMs: 60_000 });
  const found = result.stdout.trim().split('\n').pop();
  return result.code === 0 && found ? found : undefined;
}

async function uvInstall(
  uv: string,
  wanted: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const result = await runProcess(uv, ['python', 'install', ...(wanted ? [wanted] : [])], {
    env,
    timeoutMs: 15 * 60_000,
  });
  if (result.code !== 0) {
    const line = result.stderr.trim().split('\n').pop() ?? '';
    throw new UserError(`uv python install ${wanted ?? ''} failed: ${line}`.trim(), {
      fix: 'install a matching Python yourself and run again',
    });
  }
  const found = await uvFind(uv, wanted, env);
  if (!found) {
    throw new UserError(`uv python install ${wanted ?? ''} succeeded but uv cannot find it`, {
      fix: 'run `uv python list` to see what uv installed',
    });
  }
  return found;
}

function describeRequest(request: InterpreterRequest, pinFile: string): string {
  const parts: string[] = [];
  if (request.requiresPython) parts.push(`requires-python ${request.requiresPython}`);
  if (request.pins.length > 0) parts.push(`${pinFile} ${request.pins.join(', ')}`);
  return parts.length > 0 ? parts.join(' and ') : 'any Python 3';
}

/**
 * Where the user fixes "no interpreter fits": the `.python-version` pin when it is what
 * turned interpreters away (or the only constraint), else the requires-python line.
 */
function failureLocation(
  config: Pick<OnevenvConfig, 'requiresPython' | 'text'>,
  request: InterpreterRequest,
  rejected: readonly Rejection[],
  pinFile: string,
): { file: string; line?: number } {
  const pinRejected = rejected.some((r) => r.reason.startsWith('does not match '));
  if (request.pinFile && (config.requiresPython === undefined || pinRejected)) {
    const line = request.pinLines?.[0];
    return line === undefined ? { file: pinFile } : { file: pinFile, line };
  }
  const line =
    config.requiresPython !== undefined
      ? locateString(config.text, config.requiresPython)
      : undefined;
  return { file: CONFIG_FILE, line };
}

/**
 * The base interpreter for the venv, or a UserError (exit 2) listing every interpreter
 * found and why each was rejected.
 */
export async function findInterpreter(
  config: Pick<OnevenvConfig, 'root' | 'configDir' | 'requiresPython' | 'pythonInstall' | 'text'>,
  options: FindInterpreterOptions = {},
): Promise<Interpreter> {
  const request = interpreterRequest(config);
  const allowInstall = options.allowInstall ?? config.pythonInstall;
  const discovery = await discoverInterpreter(request, {
    ...options,
    allowInstall,
    cwd: config.root,
  });
  if (discovery.chosen) return discovery.chosen;
  const found = discovery.rejected.map(
    (r) => `  ${r.path}${r.version ? ` (${r.version})` : ''}: ${r.reason}`,
  );
  const uv = findUv(options.env ?? process.env);
  const fix = allowInstall
    ? 'install a matching Python (pyenv install, your package manager) and run again'
    : uv
      ? 'install a matching Python, or run with --python-install (or set python-install = true in [tool.onevenv]) to let uv install one'
      : 'install a matching Python (pyenv install, your package manager, or uv) and run again';
  const pinFile = request.pinFile
    ? path.relative(config.root, request.pinFile).split(path.sep).join('/') || '.python-version'
    : '.python-version';
  // The list goes after the fix: one line to act on, then the evidence.
  throw new UserError(
    `no Python interpreter satisfies ${describeRequest(request, pinFile)} (${fix}); found ${
      found.length === 0 ? 'none' : `${found.length}:\n${found.join('\n')}`
    }`,
    { location: failureLocation(config, request, discovery.rejected, pinFile) },
  );
}

/** For tests and `status`: does this file still run as the same interpreter? (No spawn.) */
export async function interpreterExists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
