import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Finds executables by searching PATH ourselves: no process is spawned, so asking
 * "is uv here?" costs microseconds on the hot paths.
 */
export function findExecutable(
  name: string,
  envPath: string | undefined = process.env.PATH,
): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? path.resolve(name) : undefined;
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A pyenv shim is a script whose answer depends on the directory it runs in (a repo's
 * .python-version may select a Python that lacks the tool): use the executable it stands
 * for, from pyenv's global version first, then any installed version, newest first.
 */
export function resolvePyenvShim(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = env.PYENV_ROOT || path.join(env.HOME || os.homedir(), '.pyenv');
  if (path.dirname(file) !== path.join(root, 'shims')) return file;
  const versions: string[] = [];
  try {
    versions.push(...readFileSync(path.join(root, 'version'), 'utf8').split(/\s+/).filter(Boolean));
  } catch {
    // no global version
  }
  try {
    versions.push(...readdirSync(path.join(root, 'versions')).sort().reverse());
  } catch {
    // no versions
  }
  for (const version of versions) {
    const candidate = path.join(root, 'versions', version, 'bin', path.basename(file));
    if (isExecutable(candidate)) return candidate;
  }
  return file;
}

/** uv: `ONEVENV_UV` (a path, or '' to pretend uv is absent), else `uv` on PATH. */
export function findUv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.ONEVENV_UV;
  if (override !== undefined)
    return override === '' ? undefined : findExecutable(override, env.PATH);
  const found = findExecutable('uv', env.PATH);
  return found === undefined ? undefined : resolvePyenvShim(found, env);
}
