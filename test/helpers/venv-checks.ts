import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseLockFile } from '../../src/core/lock/lock-file.js';

/** Facts about a built venv, read with its own interpreter (for sync's acceptance tests). */

export function venvPythonOf(root: string, venv = 'python/.venv'): string {
  return path.join(root, venv, 'bin', 'python');
}

/** `name==version` of every distribution in the venv but pip itself, sorted. */
export function installedPins(root: string, venv = 'python/.venv'): string[] {
  const script = [
    'import importlib.metadata as m, json, re',
    'names = sorted({re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() + "==" + d.version for d in m.distributions()})',
    'print(json.dumps(names))',
  ].join('\n');
  const out = execFileSync(venvPythonOf(root, venv), ['-I', '-c', script], { encoding: 'utf8' });
  return (JSON.parse(out) as string[]).filter((pin) => !pin.startsWith('pip=='));
}

export async function lockedPins(
  root: string,
  lock = 'python/requirements.txt',
): Promise<string[]> {
  const text = await fs.readFile(path.join(root, lock), 'utf8');
  return parseLockFile(text)
    .packages.map((pkg) => `${pkg.name}==${pkg.version}`)
    .sort();
}

/** Runs `import m` for each module in the venv; returns what failed. */
export function importAll(root: string, modules: string[], venv = 'python/.venv'): string[] {
  const script = [
    'import importlib, sys, json',
    'bad = []',
    'for name in sys.argv[1:]:',
    '    try:',
    '        importlib.import_module(name)',
    '    except Exception as e:',
    '        bad.append(name)',
    'print(json.dumps(bad))',
  ].join('\n');
  const out = execFileSync(venvPythonOf(root, venv), ['-c', script, ...modules], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

/** Entries beside the venv that a finished sync must not leave behind (lock, trash, temps). */
export async function leftoversBesideVenv(root: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(root, 'python'));
  return entries.filter((entry) => entry.startsWith('.venv') && entry !== '.venv').sort();
}
