import { execFileSync } from 'node:child_process';
import { promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemPython } from './wheelhouse.js';

/**
 * Real Python installations a test may change or delete: hard-linked copies (`cp -al`,
 * cheap) of one the machine has. Removing `lib/pythonX.Y/ensurepip` from a copy gives
 * exactly what Debian ships without python3.X-venv.
 */

/** The real executable behind `python3` (not a pyenv shim). */
export function realSystemPython(): string {
  return execFileSync(systemPython, ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
}

function pythonVersion(executable: string): string {
  return execFileSync(executable, ['-c', 'import platform; print(platform.python_version())'], {
    encoding: 'utf8',
  }).trim();
}

/** Installation prefixes by minor version ("3.12" → prefix), pyenv's and the system one. */
export function pythonPrefixes(): Map<string, string> {
  const out = new Map<string, string>();
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  try {
    for (const name of readdirSync(path.join(root, 'versions')).sort()) {
      const match = /^(3\.\d+)\.\d+$/.exec(name);
      if (match) out.set(match[1]!, path.join(root, 'versions', name));
    }
  } catch {
    // no pyenv
  }
  const system = realSystemPython();
  const minor = pythonVersion(system).split('.').slice(0, 2).join('.');
  if (!out.has(minor)) {
    const prefix = execFileSync(system, ['-c', 'import sys; print(sys.base_prefix)'], {
      encoding: 'utf8',
    }).trim();
    out.set(minor, prefix);
  }
  return out;
}

export interface PythonCopy {
  /** `bin/python3.X` of the copy. */
  executable: string;
  version: string;
  minor: string;
}

/** A copy of the installation of `minor` (default: the one `python3` runs) at `into`. */
export async function copyOfPython(
  into: string,
  options: { minor?: string; withoutEnsurepip?: boolean } = {},
): Promise<PythonCopy> {
  const minor = options.minor ?? pythonVersion(realSystemPython()).split('.').slice(0, 2).join('.');
  const prefix = pythonPrefixes().get(minor);
  if (!prefix) throw new Error(`no Python ${minor} on this machine`);
  await fs.mkdir(path.dirname(into), { recursive: true });
  try {
    execFileSync('cp', ['-al', prefix, into], { stdio: 'ignore' });
  } catch {
    execFileSync('cp', ['-a', prefix, into], { stdio: 'ignore' });
  }
  if (options.withoutEnsurepip) {
    await fs.rm(path.join(into, 'lib', `python${minor}`, 'ensurepip'), { recursive: true });
  }
  const executable = path.join(into, 'bin', `python${minor}`);
  return { executable, version: pythonVersion(executable), minor };
}
