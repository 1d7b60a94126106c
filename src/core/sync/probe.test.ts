import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureWheelhouse } from '../../../test/helpers/wheelhouse.js';
import { runProcess } from '../../util/exec.js';
import { findUv } from '../tools.js';
import { probeVenv } from './probe.js';

let dir: string;
let python: string;
beforeAll(async () => {
  const wheels = await ensureWheelhouse();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-probe-'));
  const venv = path.join(dir, 'venv');
  const uv = findUv();
  if (!uv) throw new Error('uv is needed for this test (CI installs it)');
  expect((await runProcess(uv, ['venv', '-q', '-p', 'python3', venv])).code).toBe(0);
  const install = await runProcess(
    uv,
    ['pip', 'install', '-q', '--no-index', '--find-links', wheels, 'meta-alpha', 'twomods'],
    { env: { ...process.env, VIRTUAL_ENV: venv } },
  );
  expect(install.stderr).toBe('');
  python = path.join(venv, 'bin', 'python');
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

it("imports each requirement's own modules, and a metapackage's through what it requires", async () => {
  const result = await probeVenv(python, [
    { name: 'meta', requirements: [{ name: 'meta-alpha' }] },
    { name: 'tools', requirements: [{ name: 'twomods' }] },
  ]);
  expect(result.failures).toEqual([]);
  expect(result.groups).toEqual([
    { name: 'meta', modules: ['alpha'] },
    { name: 'tools', modules: ['twomods_a', 'twomods_b'] },
  ]);
});
