import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  dirIdentity,
  evaluateMarker,
  fileIdentity,
  fingerprintOf,
  hashFileSync,
  MARKER_FILE,
  MARKER_FORMAT,
  type Marker,
  readMarker,
} from './marker.js';

/**
 * The staleness rules on a venv-shaped directory (pyvenv.cfg, bin/python as a symlink to a
 * real interpreter, site-packages): one change at a time, each named in the reasons.
 */

let root: string;
let venv: string;
let python: string;
let marker: Marker;
const display = (file: string) => path.relative(root, file);

beforeEach(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-marker-')));
  venv = path.join(root, 'python/.venv');
  python = execFileSync(
    'python3',
    ['-c', 'import sys, os; print(os.path.realpath(sys.executable))'],
    {
      encoding: 'utf8',
    },
  ).trim();
  const site = path.join(venv, 'lib/python3/site-packages');
  await fs.mkdir(site, { recursive: true });
  await fs.mkdir(path.join(venv, 'bin'));
  await fs.symlink(python, path.join(venv, 'bin/python'));
  await fs.writeFile(path.join(venv, 'pyvenv.cfg'), 'home = /x\n');
  await fs.writeFile(path.join(root, 'python/pyproject.toml'), '[project]\n');
  await fs.writeFile(path.join(root, 'python/requirements.txt'), 'alpha==1\n');
  const inputs: Record<string, string | null> = {};
  for (const file of ['python/pyproject.toml', 'python/requirements.txt', '.python-version']) {
    inputs[path.join(root, file)] = hashFileSync(path.join(root, file));
  }
  marker = {
    format: MARKER_FORMAT,
    state: 'ready',
    tool: '1.0.0',
    venv,
    inputs,
    fingerprint: '',
    python: { base: python, real: python, identity: fileIdentity(python)!, version: '3.11.7' },
    installer: 'uv',
    lockState: 'current',
    editables: [],
    paths: [],
    site: { path: site, identity: dirIdentity(site)! },
    packages: 1,
    imports: { ok: true, failed: [] },
    updatedAt: '',
  };
  marker.fingerprint = fingerprintOf(marker);
});
afterEach(() => fs.rm(root, { recursive: true, force: true }));

function evaluate(overrides: Partial<Marker> = {}, frozen = false) {
  return evaluateMarker(
    { ...marker, ...overrides },
    { toolVersion: '1.0.0', venv, frozen, display },
  );
}

it('ready when nothing changed', () => {
  expect(evaluate()).toEqual({ ready: true, reasons: [] });
});

it('names each input that changed, appeared or vanished', async () => {
  await fs.writeFile(path.join(root, 'python/requirements.txt'), 'alpha==2\n');
  await fs.writeFile(path.join(root, '.python-version'), '3.12\n');
  await fs.rm(path.join(root, 'python/pyproject.toml'));
  expect(evaluate().reasons).toEqual([
    'python/pyproject.toml was deleted since the last sync',
    'python/requirements.txt changed since the last sync',
    '.python-version was created since the last sync',
  ]);
});

it('an unfinished sync, another tool version, a venv moved, a --frozen install', () => {
  expect(evaluate({ state: 'installing' }).reasons).toEqual([
    'a sync did not finish (interrupted or failed)',
  ]);
  expect(evaluate({ tool: '0.9.0' }).reasons).toEqual(['built by onevenv 0.9.0, this is 1.0.0']);
  expect(evaluate({ venv: '/elsewhere/.venv' }).reasons).toEqual([
    'the venv was built at /elsewhere/.venv, not here',
  ]);
  expect(evaluate({ lockState: 'unchecked' }).reasons).toEqual([
    'the lock was installed with --frozen, without checking it is current',
  ]);
  expect(evaluate({ lockState: 'unchecked' }, true)).toEqual({ ready: true, reasons: [] });
});

it('pyvenv.cfg gone, interpreter vanished or replaced, site-packages touched', async () => {
  await fs.rm(path.join(venv, 'pyvenv.cfg'));
  expect(evaluate().reasons).toEqual(['python/.venv/pyvenv.cfg is missing']);
  await fs.writeFile(path.join(venv, 'pyvenv.cfg'), 'home = /x\n');

  expect(evaluate({ python: { ...marker.python, identity: '1:2:3:4' } }).reasons).toEqual([
    `the base interpreter ${python} was replaced (upgraded?)`,
  ]);
  expect(evaluate({ python: { ...marker.python, real: '/old/python3.10' } }).reasons).toEqual([
    `the venv's interpreter now resolves to ${python}, not /old/python3.10`,
  ]);
  await fs.rm(path.join(venv, 'bin/python'));
  await fs.symlink(path.join(root, 'gone/python3'), path.join(venv, 'bin/python'));
  expect(evaluate().reasons).toEqual([
    `the venv's interpreter no longer resolves (base interpreter ${python} vanished or moved)`,
  ]);
  await fs.rm(path.join(venv, 'bin/python'));
  await fs.symlink(python, path.join(venv, 'bin/python'));

  await fs.mkdir(path.join(marker.site.path, 'gamma-1.0.dist-info'));
  expect(evaluate().reasons).toEqual([
    'python/.venv/lib/python3/site-packages changed since the last sync (a package installed or removed by hand?)',
  ]);
});

it('a marker edited by hand fails its own fingerprint; absent and truncated markers are told apart', async () => {
  expect(evaluate({ paths: ['/somewhere'] }).reasons).toEqual([
    'the state marker does not match its own fingerprint',
  ]);
  expect(readMarker(venv)).toEqual({ kind: 'absent' });
  await fs.writeFile(path.join(venv, MARKER_FILE), JSON.stringify(marker).slice(0, 40));
  expect(readMarker(venv)).toEqual({
    kind: 'corrupt',
    reason: 'it is not valid JSON (truncated?)',
  });
  await fs.writeFile(path.join(venv, MARKER_FILE), JSON.stringify(marker));
  expect(readMarker(venv)).toEqual({ kind: 'ok', marker });
});
