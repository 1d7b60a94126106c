import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's root: src/core/demo (tests) and dist/core/demo (built) sit three below it. */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

export const EXAMPLE_NAME = 'telemetry-sim';

export function exampleDir(): string {
  return path.join(packageRoot(), 'examples', EXAMPLE_NAME);
}

/** The CLI entry a user runs: the demo drives onevenv through it, as a user would. */
export function cliEntry(): string {
  return path.join(packageRoot(), 'bin', 'onevenv.js');
}

/**
 * npm never packs a file named .gitignore, so the example keeps its ignore file as
 * `gitignore` and the copy gives it its real name.
 */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };

/** What a hand build of the example in place may have left behind: never part of the copy. */
const LEFT_BEHIND = new Set(['build', '.venv', '__pycache__', '.pytest_cache']);

/** Copies the example into `target` (which must exist and be empty); returns the files copied. */
export async function copyExample(source: string, target: string): Promise<string[]> {
  const copied: string[] = [];
  async function walk(from: string, to: string, rel: string): Promise<void> {
    const entries = await fs.readdir(from, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (LEFT_BEHIND.has(entry.name) || entry.name.endsWith('.egg-info')) continue;
      const name = rel === '' ? (RENAMED[entry.name] ?? entry.name) : entry.name;
      const src = path.join(from, entry.name);
      const dest = path.join(to, name);
      const relName = rel === '' ? name : `${rel}/${name}`;
      if (entry.isDirectory()) {
        await fs.mkdir(dest);
        await walk(src, dest, relName);
      } else if (entry.isFile()) {
        await fs.copyFile(src, dest);
        await fs.chmod(dest, (await fs.stat(src)).mode & 0o777);
        copied.push(relName);
      }
    }
  }
  await walk(source, target, '');
  return copied;
}
