import { promises as fs } from 'node:fs';
import path from 'node:path';
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

function tail(result: RunResult, lines = 6): string {
  const text = `${result.stderr}\n${result.stdout}`
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
    `${interpreter.path} (Python ${interpreter.version}) cannot create a venv with pip: its ensurepip module is missing`,
    { fix: `install ${name} (e.g. sudo apt install ${name}), or install uv` },
  );
}

/**
 * Creates the venv in the (empty or marker-only) directory. uv when it is the backend (or
 * when pip is, but the interpreter has no ensurepip: uv seeds pip); else `python -m venv`.
 */
export async function createVenv(request: CreateVenvRequest): Promise<void> {
  const { backend, uv, interpreter, venv, runner } = request;
  const noEnsurepip = () => missingEnsurepip(interpreter);
  if (backend === 'uv' || (!interpreter.ensurepip && uv)) {
    const args = ['venv', '--allow-existing', '--no-project', '--python', interpreter.path];
    if (backend === 'pip') args.push('--seed');
    args.push(venv);
    const result = await runner.run(uv!, args, { env: request.env });
    logOutput(result);
    if (result.code !== 0) throw stepFailure('uv venv', result);
    return;
  }
  if (!interpreter.ensurepip) throw noEnsurepip();
  const result = await runner.run(interpreter.path, ['-m', 'venv', venv], { env: request.env });
  logOutput(result);
  if (result.code !== 0) {
    if (/ensurepip/.test(result.stderr + result.stdout)) {
      if (uv) {
        const retry = await runner.run(
          uv,
          [
            'venv',
            '--allow-existing',
            '--no-project',
            '--seed',
            '--python',
            interpreter.path,
            venv,
          ],
          { env: request.env },
        );
        logOutput(retry);
        if (retry.code === 0) return;
        throw stepFailure('uv venv', retry);
      }
      throw noEnsurepip();
    }
    throw stepFailure(`${interpreter.path} -m venv`, result);
  }
}

export interface InstallRequest {
  backend: Backend;
  uv: string | undefined;
  venv: string;
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

/** Installs exactly the lock, then the editables. */
export async function installLocked(request: InstallRequest): Promise<InstallReport> {
  const report: InstallReport = { added: [], removed: [] };
  const python = venvPython(request.venv);
  const { runner, env } = request;
  if (request.backend === 'uv') {
    const result = await runner.run(
      request.uv!,
      [
        'pip',
        'sync',
        '--require-hashes',
        '--allow-empty-requirements',
        '--python',
        python,
        ...request.indexArgs,
        request.lock,
      ],
      { env },
    );
    logOutput(result);
    if (result.code !== 0) throw stepFailure('uv pip sync', result);
    parseUvChanges(result, report);
    if (request.editables.length > 0) {
      const editable = await runner.run(
        request.uv!,
        [
          'pip',
          'install',
          '--no-deps',
          '--python',
          python,
          ...request.indexArgs,
          ...request.editables.flatMap((dir) => ['-e', dir]),
        ],
        { env },
      );
      logOutput(editable);
      if (editable.code !== 0) throw stepFailure('installing the editable packages', editable);
      parseUvChanges(editable, report);
    }
    return report;
  }
  const pip = [python, '-m', 'pip'];
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

/** pip has no sync: uninstall what the lock (and the editables) do not name. */
export async function uninstallExtraneous(
  request: Pick<InstallRequest, 'venv' | 'env' | 'runner'>,
  names: string[],
): Promise<void> {
  if (names.length === 0) return;
  const result = await request.runner.run(
    venvPython(request.venv),
    ['-m', 'pip', 'uninstall', '--yes', ...names],
    { env: request.env },
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
