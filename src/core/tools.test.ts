import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findExecutable, findUv, resolvePyenvShim } from './tools.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-tools-'));
  await fs.writeFile(path.join(dir, 'uv'), '#!/bin/sh\n', { mode: 0o755 });
  await fs.writeFile(path.join(dir, 'noexec'), '', { mode: 0o644 });
  await fs.mkdir(path.join(dir, 'adir'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

it('finds executables on PATH, skipping non-executables and directories', () => {
  expect(findExecutable('uv', `/nonexistent${path.delimiter}${dir}`)).toBe(path.join(dir, 'uv'));
  expect(findExecutable('noexec', dir)).toBeUndefined();
  expect(findExecutable('adir', dir)).toBeUndefined();
});

it('honours ONEVENV_UV, and an empty ONEVENV_UV hides uv', () => {
  expect(findUv({ PATH: dir })).toBe(path.join(dir, 'uv'));
  expect(findUv({ PATH: dir, ONEVENV_UV: '' })).toBeUndefined();
  expect(findUv({ PATH: '', ONEVENV_UV: path.join(dir, 'uv') })).toBe(path.join(dir, 'uv'));
});

it('resolves a pyenv shim to the executable it stands for', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-pyenv-'));
  try {
    for (const dir of [
      'shims',
      'versions/3.10.1/bin',
      'versions/3.12.0/bin',
      'versions/3.11.2/bin',
    ]) {
      await fs.mkdir(path.join(root, dir), { recursive: true });
    }
    await fs.writeFile(path.join(root, 'shims/uv'), '#!/bin/sh\n', { mode: 0o755 });
    await fs.writeFile(path.join(root, 'versions/3.10.1/bin/uv'), '', { mode: 0o755 });
    await fs.writeFile(path.join(root, 'versions/3.12.0/bin/uv'), '', { mode: 0o755 });
    const env = { PYENV_ROOT: root, PATH: path.join(root, 'shims') };
    expect(findUv(env)).toBe(path.join(root, 'versions/3.12.0/bin/uv'));
    await fs.writeFile(path.join(root, 'version'), '3.10.1\n');
    expect(findUv(env)).toBe(path.join(root, 'versions/3.10.1/bin/uv'));
    await fs.writeFile(path.join(root, 'version'), '3.11.2\n');
    expect(findUv(env)).toBe(path.join(root, 'versions/3.12.0/bin/uv'));
    expect(resolvePyenvShim('/usr/bin/uv', env)).toBe('/usr/bin/uv');
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
