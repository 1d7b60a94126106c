import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeRepo, projectRoot, type TempRepo } from '../helpers/repo.js';

/** Every file of a fixture repository under test/fixtures, as text keyed by path. */
export async function readFixture(name: string): Promise<Record<string, string>> {
  const base = path.join(projectRoot, 'test/fixtures', name);
  const files: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else
        files[path.relative(base, full).split(path.sep).join('/')] = await fs.readFile(
          full,
          'utf8',
        );
    }
  }
  await walk(base);
  return files;
}

/**
 * A fixture copied into its own temporary git repository: fixtures live inside this
 * repository, whose .git and .gitignore must not decide what the scan sees.
 */
export async function fixtureRepo(name: string): Promise<TempRepo> {
  return makeRepo(await readFixture(name), { git: true, prefix: `onevenv-${name}-` });
}
