import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../../src/util/exec.js';
import { packagesFingerprint, testPackages, writeSourcePackage } from './python-packages.js';

/**
 * A local package index of real wheels built by real pip from test/helpers' specs.
 * Built once per spec fingerprint (global setup) and shared by every test:
 * resolve and install with `--no-index --find-links <wheelhouse>`.
 */

export function wheelhouseDir(): string {
  return path.join(os.tmpdir(), `onevenv-test-wheelhouse-${packagesFingerprint()}`);
}

export const systemPython = process.env.ONEVENV_TEST_PYTHON ?? 'python3';

export async function ensureWheelhouse(): Promise<string> {
  const target = wheelhouseDir();
  try {
    await fs.access(path.join(target, '.complete'));
    return target;
  } catch {
    // build it
  }
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-wheelhouse-build-'));
  // pip builds many packages in one process, but not two versions of one name at once.
  const batches: string[][] = [];
  const seen = new Map<string, number>();
  for (const spec of testPackages) {
    const dir = path.join(work, 'src', `${spec.name}-${spec.version}`);
    await writeSourcePackage(dir, spec);
    const index = seen.get(spec.name) ?? 0;
    seen.set(spec.name, index + 1);
    batches[index] ??= [];
    batches[index].push(dir);
  }
  const out = path.join(work, 'wheels');
  for (const sources of batches) {
    const result = await runProcess(
      systemPython,
      [
        '-m',
        'pip',
        'wheel',
        '--quiet',
        '--no-deps',
        '--no-index',
        '--no-build-isolation',
        '--ignore-requires-python',
        '--disable-pip-version-check',
        '-w',
        out,
        ...sources,
      ],
      { env: { ...process.env, PIP_NO_CACHE_DIR: '1' } },
    );
    if (result.code !== 0) {
      throw new Error(`building the test wheelhouse failed:\n${result.stderr}`);
    }
  }
  await fs.writeFile(path.join(out, '.complete'), '');
  try {
    await fs.rename(out, target);
  } catch {
    // Another worker won the race; its wheelhouse is identical.
  }
  await fs.rm(work, { recursive: true, force: true });
  return target;
}
