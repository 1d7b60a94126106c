import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../../src/util/exec.js';
import { systemPython } from './wheelhouse.js';

/**
 * A venv with the official `mcp` Python package from PyPI, for the test that starts a
 * server written with it. Installed with uv once per requirement and interpreter and kept
 * in the temp directory, like the wheelhouse: later runs reuse it. Needs the index (CI has
 * it); the test does not skip without it, it fails.
 */

export const MCP_SDK_REQUIREMENT = 'mcp==1.30.0';

function baseInterpreter(): string {
  return execFileSync(systemPython, ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
}

function cacheDir(python: string): string {
  const key = createHash('sha256').update(`${MCP_SDK_REQUIREMENT}\0${python}`).digest('hex');
  return path.join(os.tmpdir(), `onevenv-test-mcp-sdk-${key.slice(0, 16)}`);
}

/** The venv's python (absolute). */
export async function ensureMcpSdkVenv(): Promise<string> {
  const base = baseInterpreter();
  const target = cacheDir(base);
  const python = path.join(target, 'bin', 'python');
  try {
    await fs.access(path.join(target, '.complete'));
    return python;
  } catch {
    // build it
  }
  const work = await fs.mkdtemp(`${target}.build-`);
  const venv = path.join(work, 'venv');
  const env = { ...process.env, UV_PYTHON_DOWNLOADS: 'never' };
  for (const args of [
    ['venv', '--quiet', '--python', base, venv],
    [
      'pip',
      'install',
      '--quiet',
      '--python',
      path.join(venv, 'bin', 'python'),
      MCP_SDK_REQUIREMENT,
    ],
  ]) {
    const result = await runProcess('uv', args, { env, timeoutMs: 600_000 });
    if (result.code !== 0) {
      await fs.rm(work, { recursive: true, force: true });
      throw new Error(`uv ${args.join(' ')} failed:\n${result.stderr}`);
    }
  }
  await fs.writeFile(path.join(venv, '.complete'), '');
  try {
    // A venv's interpreter finds its site-packages from its own location, so the move is
    // safe for `python file.py` (console scripts would keep the old path; none is used).
    await fs.rename(venv, target);
  } catch {
    // Another run finished first; its venv is the same.
  }
  await fs.rm(work, { recursive: true, force: true });
  return python;
}
