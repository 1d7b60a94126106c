import { accessSync, constants, statSync } from 'node:fs';
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

/** uv: `ONEVENV_UV` (a path, or '' to pretend uv is absent), else `uv` on PATH. */
export function findUv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.ONEVENV_UV;
  if (override !== undefined)
    return override === '' ? undefined : findExecutable(override, env.PATH);
  return findExecutable('uv', env.PATH);
}
