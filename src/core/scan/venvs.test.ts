import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingVenvs, findVenvDirs } from './venvs.js';

describe('findVenvDirs', () => {
  let root: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-venvs-'));
    const files = [
      '.venv/pyvenv.cfg',
      '.venv/lib/inner/.venv/pyvenv.cfg',
      'scripts/.venv/pyvenv.cfg',
      'a/b/.venv/pyvenv.cfg',
      'a/b/c/.venv/pyvenv.cfg',
      'node_modules/pkg/pyvenv.cfg',
      'src/lib/file.cpp',
      'dir-named/pyvenv.cfg/not-a-file',
      'p/q/r/pyvenv.cfg/not-a-file',
    ];
    for (const file of files) {
      await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await fs.writeFile(path.join(root, file), 'home = /usr/bin\n');
    }
    // A venv reached through a symlinked directory is not followed; one whose
    // pyvenv.cfg is a symlink is still a venv.
    await fs.symlink(path.join(root, 'scripts'), path.join(root, 'linked'));
    await fs.mkdir(path.join(root, 'a/linkcfg'), { recursive: true });
    await fs.symlink(path.join(root, '.venv/pyvenv.cfg'), path.join(root, 'a/linkcfg/pyvenv.cfg'));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('finds venvs down to the depth, not inside venvs, symlinks or node_modules', () => {
    expect(findVenvDirs(root)).toEqual(['.venv', 'a/b/.venv', 'a/linkcfg', 'scripts/.venv']);
  });

  it('honours a smaller depth exactly', () => {
    expect(findVenvDirs(root, { maxDepth: 1 })).toEqual(['.venv']);
    expect(findVenvDirs(root, { maxDepth: 0 })).toEqual([]);
    expect(findVenvDirs(root, { maxDepth: 4 })).toEqual([
      '.venv',
      'a/b/.venv',
      'a/b/c/.venv',
      'a/linkcfg',
      'scripts/.venv',
    ]);
  });

  it('does not look into deepest directories the listing shows files in', () => {
    expect(findVenvDirs(root, { listed: new Set(['a/b/.venv', 'scripts/.venv']) })).toEqual([
      '.venv',
      'a/linkcfg',
      'scripts/.venv',
    ]);
  });

  it('existingVenvs keeps the candidates that are venvs', async () => {
    expect(
      (await existingVenvs(root, ['a/b/c/.venv', 'src/lib', '../x', '.', 'a/b/c/.venv'])).sort(),
    ).toEqual(['a/b/c/.venv']);
  });
});
