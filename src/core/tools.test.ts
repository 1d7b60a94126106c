import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findExecutable, findUv } from './tools.js';

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
