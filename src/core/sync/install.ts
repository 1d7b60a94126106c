import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../util/errors.js';
import { type RunResult, runProcess } from '../../util/exec.js';
import { log } from '../../util/log.js';
import type { Interpreter } from '../interpreter.js';
import { redactUrls } from '../lock/index-settings.js';
import { venvPython } from '../venv/marker.js';
import { sitePackages } from '../venv/venv-dir.js';

/**
 * The two backends, doing the same thing: create the venv, install exactly the lock
 * (hashes required, no resolution), install editables without their dependencies, and
 * remove what the lock does not list.
 */

export type Backend = 'uv' | 'pip';

export interface StepRunner {
  /** Runs a child process, recorded in the environment lock while it runs. */
  run(command: string, args: string[], options?: { env?: NodeJS.ProcessEnv }): Promise<RunResult>;
}

/** The environment for installers: never the caller's venv, never a stray PYTHONHOME. */
export function installerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out.VIRTUAL_ENV;
  delete out.CONDA_PREFIX;
  delete out.PYTHONHOME;
  delete out.PYTHONPATH;
  out.PIP_DISABLE_PIP_VERSION_CHECK = '1';
  out.PIP_NO_INPUT = '1';
  return out;
}

/** The last lines of a failed step: stderr last, where pip and uv put the error itself. */
function tail(result: RunResult, lines = 6): string {
  const text = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
  return redactUrls(lines > 0 ? text.slice(-lines).join(' | ') : text.join(' | '));
}

export function stepFailure(what: string, result: RunResult, fix?: string): UserError {
  const how = result.timedOut ? 'timed out' : `exit ${result.code ?? result.signal}`;
  return new UserError(`${what} failed (${how}): ${tail(result) || 'no output'}`, {
    fix: fix ?? 'run again with -v for the full output',
  });
}

function logOutput(result: RunResult): void {
  for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
    if (line.trim()) log.debug(redactUrls(line));
  }
}

export interface CreateVenvRequest {
  backend: Backend;
  uv: string | undefined;
  interpreter: Interpreter;
  venv: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  runner: StepRunner;
}

/** Debian/Ubuntu ship ensurepip in a separate package named after the minor version. */
export function venvPackageName(version: string): string {
  const [major, minor] = version.split('.');
  return `python${major}.${minor}-venv`;
}

export function missingEnsurepip(interpreter: Interpreter): UserError {
  const name = venvPackageName(interpreter.version);
  return new UserError(
    `${interpreter.path} (Python ${interpreter.version}) cannot create a venv with pip: it has neither ensurepip nor pip`,
    { fix: `install ${name} (e.g. sudo apt install ${name}), or install uv` },
  );
}

/** pip >= 22.3 can install into another environment (`pip --python`). */
export function pipCanTarget(version: string | undefined): boolean {
  if (!version) return false;
  const [major, minor] = version.split('.').map(Number);
  return (major ?? 0) > 22 || ((major ?? 0) === 22 && (minor ?? 0) >= 3);
}

/**
 * Creates the venv in the (empty or marker-only) directory. uv when it is the backend;
 * for pip, a venv without pip when the base interpreter's own pip can install into it
 * (`pip --python`: no ensurepip run, nothing in the venv but the lock), else
 * `python -m venv` with ensurepip, else uv seeding pip.
 */
export async function createVenv(request: CreateVenvRequest): Promise<void> {
  const { backend, uv, interpreter, venv, runner } = request;
  const uvVenv = async (seed: boolean) => {
    const args = ['venv', '--allow-existing', '--no-project', '--python', interpreter.path];
    if (seed) args.push('--seed');
    args.push(venv);
    const result = await runner.run(uv!, args, { env: request.env });
    logOutput(result);
    if (result.code !== 0) throw stepFailure('uv venv', result);
  };
  if (backend === 'uv') return uvVenv(false);
  const withoutPip = pipCanTarget(interpreter.pip);
  if (!withoutPip && !interpreter.ensurepip) {
    if (uv) return uvVenv(true);
    throw missingEnsurepip(interpreter);
  }
  const args = ['-m', 'venv', ...(withoutPip ? ['--without-pip'] : []), venv];
  const result = await runner.run(interpreter.path, args, { env: request.env });
  logOutput(result);
  if (result.code === 0) return;
  if (/ensurepip/.test(result.stderr + result.stdout)) {
    if (uv) return uvVenv(true);
    throw missingEnsurepip(interpreter);
  }
  throw stepFailure(`${interpreter.path} -m venv`, result);
}

export interface InstallRequest {
  backend: Backend;
  uv: string | undefined;
  venv: string;
  /** The base interpreter: its pip installs into a venv that has none. */
  basePython: string;
  lock: string;
  editables: string[];
  /** --index-url / --find-links for the backend. */
  indexArgs: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  runner: StepRunner;
}

export interface InstallReport {
  /** uv reports what it changed (`+ name==v`, `- name==v`); pip's removals we make ourselves. */
  added: string[];
  removed: string[];
}

function parseUvChanges(result: RunResult, report: InstallReport): void {
  for (const line of result.stderr.split('\n')) {
    const match = /^\s([+-])\s(\S+)/.exec(line);
    if (!match) continue;
    (match[1] === '+' ? report.added : report.removed).push(match[2]!);
  }
}

/**
 * Runs a uv install offline first: every artifact the lock names is pinned by hash, so
 * when uv's cache holds them all there is nothing to ask the index (uv would revalidate
 * each cached index page, about 0.2 s for the seed ticket's 72 packages). When something
 * is not cached the offline run fails before it changes the venv, and the same command
 * runs online.
 */
async function runUvOfflineFirst(
  request: InstallRequest,
  args: string[],
  what: string,
  report: InstallReport,
): Promise<void> {
  const [verb, ...rest] = args;
  const offline = await request.runner.run(request.uv!, ['pip', verb!, '--offline', ...rest], {
    env: request.env,
  });
  if (offline.code === 0) {
    logOutput(offline);
    parseUvChanges(offline, report);
    return;
  }
  log.debug(`${what} offline did not finish (${tail(offline, 1)}); going online`);
  const result = await request.runner.run(request.uv!, ['pip', ...args], { env: request.env });
  logOutput(result);
  if (result.code !== 0) throw stepFailure(what, result);
  parseUvChanges(result, report);
}

async function uvSyncLock(
  request: InstallRequest,
  python: string,
  report: InstallReport,
): Promise<void> {
  await runUvOfflineFirst(
    request,
    [
      'sync',
      '--require-hashes',
      '--allow-empty-requirements',
      '--python',
      python,
      ...request.indexArgs,
      request.lock,
    ],
    'uv pip sync',
    report,
  );
}

/** Installs exactly the lock, then the editables. */
export async function installLocked(request: InstallRequest): Promise<InstallReport> {
  const report: InstallReport = { added: [], removed: [] };
  const python = venvPython(request.venv);
  const { runner, env } = request;
  if (request.backend === 'uv') {
    if (request.editables.length === 0) {
      await uvSyncLock(request, python, report);
      return report;
    }
    await withEditablesFile(request.editables, async (file, scratch) => {
      // uv builds an editable (a build environment, the backend's hooks) only after the
      // lock is in, one process after the other on the venv's lock: meanwhile, build it
      // into a throwaway target, so the install below takes the build from uv's cache.
      // Offline: from the build requirements uv has cached, without index requests racing
      // the lock's (or it fails, and the install below builds it as it would have).
      const prebuild = runner
        .run(
          request.uv!,
          [
            'pip',
            'install',
            '--offline',
            '--no-deps',
            '--python',
            request.basePython,
            '--target',
            path.join(scratch, 'prebuilt'),
            ...request.indexArgs,
            '-r',
            file,
          ],
          { env },
        )
        .catch(() => undefined);
      try {
        await uvSyncLock(request, python, report);
      } finally {
        await prebuild;
      }
      await runUvOfflineFirst(
        request,
        ['install', '--no-deps', '--python', python, ...request.indexArgs, '-r', file],
        'installing the editable packages',
        report,
      );
    });
    return report;
  }
  const pip = await pipCommand(request.venv, request.basePython);
  const result = await runner.run(
    pip[0]!,
    [
      ...pip.slice(1),
      'install',
      '--require-hashes',
      '--no-deps',
      ...request.indexArgs,
      '-r',
      request.lock,
    ],
    { env },
  );
  logOutput(result);
  if (result.code !== 0) throw stepFailure('pip install', result);
  if (request.editables.length > 0) {
    const editable = await runner.run(
      pip[0]!,
      [
        ...pip.slice(1),
        'install',
        '--no-deps',
        ...request.indexArgs,
        ...request.editables.flatMap((dir) => ['-e', dir]),
      ],
      { env },
    );
    logOutput(editable);
    if (editable.code !== 0) throw stepFailure('installing the editable packages', editable);
  }
  return report;
}

/**
 * uv rebuilds an editable named on its command line on every install (about 2 s for a
 * setuptools project: a build environment and three Python processes) but reuses the
 * build of one named in a requirements file until the project's pyproject.toml, setup.cfg
 * or setup.py changes, the same files a venv's marker hashes.
 */
async function withEditablesFile<T>(
  editables: string[],
  use: (file: string, scratch: string) => Promise<T>,
): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-editables-'));
  try {
    const file = path.join(dir, 'editables.txt');
    const lines = editables.map((editable) => `-e ${pathToFileURL(path.resolve(editable)).href}`);
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    return await use(file, dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The venv's own pip when it has one, else the base interpreter's pip aimed at the venv. */
export async function pipCommand(venv: string, basePython: string): Promise<string[]> {
  const python = venvPython(venv);
  try {
    await fs.access(path.join(await sitePackages(venv), 'pip', '__init__.py'));
    return [python, '-m', 'pip'];
  } catch {
    return [basePython, '-m', 'pip', '--python', python];
  }
}

/** pip has no sync: uninstall what the lock (and the editables) do not name. */
export async function uninstallExtraneous(
  request: Pick<InstallRequest, 'venv' | 'basePython' | 'env' | 'runner'>,
  names: string[],
): Promise<void> {
  if (names.length === 0) return;
  const pip = await pipCommand(request.venv, request.basePython);
  const result = await request.runner.run(
    pip[0]!,
    [...pip.slice(1), 'uninstall', '--yes', ...names],
    {
      env: request.env,
    },
  );
  logOutput(result);
  if (result.code !== 0) throw stepFailure('pip uninstall', result);
}

export const PATHS_PTH = '_onevenv_paths.pth';

/** Writes (or removes) the .pth that puts `paths` on sys.path. */
export async function writePathsPth(venv: string, paths: string[]): Promise<void> {
  const file = path.join(await sitePackages(venv), PATHS_PTH);
  if (paths.length === 0) {
    await fs.rm(file, { force: true });
    return;
  }
  // site.py adds each existing directory named on a line; a directory created later
  // (a build directory) is picked up by the next interpreter start.
  await fs.writeFile(file, `${paths.map((p) => path.resolve(p)).join('\n')}\n`);
}

/** Runs a step without recording it anywhere (for tests and status). */
export const plainRunner: StepRunner = {
  run: (command, args, options) => runProcess(command, args, { env: options?.env }),
};
