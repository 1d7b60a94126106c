import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUv } from '../../src/core/tools.js';
import { cliPath } from '../helpers/repo.js';
import { type Run, restrictedEnv, run } from './support.js';

/**
 * A machine without CMake, Ninja or a C++ compiler: the demo says so at once, runs what
 * it can (scan, adopt, setup, check), and fails exactly the rows that need the build.
 */

let work: string;
let demo: Run;

const MISSING =
  'cmake is not on PATH (install CMake 3.25 or later); ninja is not on PATH (the debug preset uses the Ninja generator); no C++ compiler found ($CXX, c++, g++ or clang++)';

beforeAll(async () => {
  work = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-e2e-nocmake-')));
  const bin = path.join(work, 'bin');
  await fs.mkdir(bin);
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
  await fs.symlink(python, path.join(bin, 'python3'));
  for (const tool of ['sh', 'bash', 'git', 'dirname']) {
    const found = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    await fs.symlink(found, path.join(bin, tool));
  }
  const uv = findUv();
  if (uv) await fs.symlink(uv, path.join(bin, 'uv'));
  const env = { ...restrictedEnv(bin), NO_COLOR: '1' };
  demo = await run(
    process.execPath,
    [cliPath, 'demo', '--keep', path.join(work, 'repo'), '--json'],
    {
      cwd: work,
      env,
      timeoutMs: 15 * 60_000,
    },
  );
}, 20 * 60_000);

afterAll(async () => {
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('onevenv demo without the C++ toolchain', () => {
  it('says so plainly and fails the rows that need the build, with the reason', () => {
    expect(demo.stderr).toContain(
      `warning ${MISSING}: the C++ build cannot run, so AC2, AC4 and AC7 will fail`,
    );
    const report = JSON.parse(demo.stdout) as {
      ok: boolean;
      criteria: Array<{ id: string; ok: boolean; detail: string }>;
      dir: string;
    };
    expect(report.criteria.filter((row) => !row.ok)).toEqual([
      { id: 'AC2', ok: false, detail: `the CMake build did not run: ${MISSING}` },
      {
        id: 'AC4',
        ok: false,
        detail: `the build commands and the module ABI were not checked: ${MISSING}`,
      },
      {
        id: 'AC7',
        ok: false,
        detail: `replay/start_server.sh did not run: it needs msd_reader from the C++ build, which was not attempted: ${MISSING}`,
      },
    ]);
    expect({ code: demo.code, ok: report.ok, dir: report.dir }).toEqual({
      code: 1,
      ok: false,
      dir: path.join(work, 'repo'),
    });
  });
});
