import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEditablePackage } from '../helpers/editable.js';
import { hermeticEnv, writeLock } from '../helpers/locked-repo.js';
import { pythonPrefixes } from '../helpers/python-install.js';
import { makeRepo, projectRoot, runCli, type TempRepo } from '../helpers/repo.js';
import { installedPins, lockedPins } from '../helpers/venv-checks.js';
import { parseJson, report, type StatusJson } from './support.js';

/**
 * Issue acceptance, staleness matrix: from a ready venv, one change at a time; `status`
 * must say stale (never ready) and name why, and `sync` must repair it (exactly the lock
 * installed, every import passing, `status` ready again). `--deep` finds a file deleted
 * inside an installed package, which the plain checks cannot see.
 */

const DECLARATION = [
  '[project]',
  'name = "staleness"',
  'version = "0"',
  'requires-python = ">=3.10"',
  '',
  '[dependency-groups]',
  'trace = ["tiny-sitter-cpp>=0.22"]',
  'tools = ["gamma"]',
  '',
  '[tool.onevenv]',
  'installer = "uv"',
  'editable = ["../replay"]',
  'paths = ["../build/a"]',
  '',
].join('\n');

interface Case {
  name: string;
  /** Environment for every command of the case (PATH, the CLI to run). */
  env?: () => NodeJS.ProcessEnv;
  cli?: () => string;
  /** Runs before the ready venv is checked (e.g. build it from another interpreter). */
  prepare?: () => Promise<void>;
  /** Makes the ready venv stale. */
  change: () => Promise<void>;
  /** A reason `status` must give (substring). */
  reason: string | RegExp;
  /** More checks after the repair. */
  after?: () => Promise<void>;
}

describe('staleness matrix (uv)', () => {
  let repo: TempRepo;
  let scratch: string;
  let otherCli: string;
  const python = (code: string) =>
    execFileSync(path.join(repo.root, 'python/.venv/bin/python'), ['-c', code], {
      encoding: 'utf8',
    }).trim();

  /** `upgraded`: run the case's own CLI (the one after the change) when it has one. */
  async function cli(args: string[], c: Case, upgraded = true) {
    const env = { ...hermeticEnv(), ...c.env?.() };
    if (!c.cli || !upgraded) return runCli(args, { cwd: repo.root, env });
    const { runProcess } = await import('../../src/util/exec.js');
    return runProcess(process.execPath, [c.cli(), ...args], {
      cwd: repo.root,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
  }

  async function statusOf(c: Case, deep = false, upgraded = true): Promise<StatusJson> {
    const result = await cli(['status', '--json', ...(deep ? ['--deep'] : [])], c, upgraded);
    const json = parseJson(result.stdout) as StatusJson | undefined;
    if (!json) throw new Error(`status printed no JSON: ${result.stderr}`);
    return json;
  }

  async function repairAndCheck(c: Case, args: string[] = []): Promise<void> {
    const result = await cli(['sync', '--json', ...args], c);
    const json = parseJson(result.stdout) as { changed: boolean; imports: unknown } | undefined;
    expect([c.name, result.code, json?.changed, json?.imports]).toEqual([
      c.name,
      0,
      true,
      { ok: true, failed: [] },
    ]);
    // The lock and the editable package, nothing else.
    expect([c.name, installedPins(repo.root)]).toEqual([
      c.name,
      [...(await lockedPins(repo.root)), 'replay==0.1.0'].sort(),
    ]);
    const now = await statusOf(c);
    expect([c.name, now.state, now.reasons]).toEqual([c.name, 'ready', []]);
  }

  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': DECLARATION,
        'build/a/mod_a.py': 'WHERE = "a"\n',
        'build/b/mod_b.py': 'WHERE = "b"\n',
      },
      { git: true },
    );
    await writeEditablePackage(repo, 'replay', {
      name: 'replay',
      init: 'import alpha\nWHO = "first"\n',
    });
    await writeEditablePackage(repo, 'replay2', {
      name: 'replay',
      init: 'import alpha\nWHO = "second"\n',
    });
    await writeLock(repo.root, { extra: ['alpha>=1'] });
    scratch = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-staleness-')));
    // The same onevenv under another version number, as after an upgrade.
    const next = path.join(scratch, 'onevenv-next');
    await fs.mkdir(next);
    await fs.cp(path.join(projectRoot, 'dist'), path.join(next, 'dist'), { recursive: true });
    await fs.cp(path.join(projectRoot, 'bin'), path.join(next, 'bin'), { recursive: true });
    await fs.symlink(path.join(projectRoot, 'node_modules'), path.join(next, 'node_modules'));
    const manifest = JSON.parse(await fs.readFile(path.join(projectRoot, 'package.json'), 'utf8'));
    await fs.writeFile(
      path.join(next, 'package.json'),
      JSON.stringify({ ...manifest, version: `${manifest.version}-next` }),
    );
    otherCli = path.join(next, 'bin/onevenv.js');
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(scratch, { recursive: true, force: true });
  });

  const minors = () => pythonPrefixes();
  const linkDir = () => path.join(scratch, 'distro-bin');
  const pathWith = (dir: string) => ({ PATH: `${dir}${path.delimiter}${process.env.PATH}` });

  const cases: Case[] = [
    {
      name: 'lock bytes changed',
      change: async () => {
        await fs.appendFile(path.join(repo.root, 'python/requirements.txt'), '# touched\n');
      },
      reason: 'python/requirements.txt changed since the last sync',
    },
    {
      name: 'dependency added',
      change: async () => {
        const text = await repo.read('python/pyproject.toml');
        await repo.write(
          'python/pyproject.toml',
          text.replace('tools = ["gamma"]', 'tools = ["gamma", "twomods"]'),
        );
      },
      reason: 'python/pyproject.toml changed since the last sync',
      after: async () => {
        expect(installedPins(repo.root)).toContain('twomods==1.0.0');
      },
    },
    {
      name: 'dependency removed',
      change: async () => {
        const text = await repo.read('python/pyproject.toml');
        await repo.write(
          'python/pyproject.toml',
          text.replace('tools = ["gamma", "twomods"]', 'tools = ["gamma"]'),
        );
      },
      reason: 'python/pyproject.toml changed since the last sync',
      after: async () => {
        expect(installedPins(repo.root).filter((p) => p.startsWith('twomods'))).toEqual([]);
      },
    },
    {
      name: 'base interpreter deleted',
      // Built from a link of our own to the interpreter; deleting the link is the base
      // interpreter vanishing (an uninstalled Python).
      env: () => pathWith(linkDir()),
      prepare: async () => {
        await fs.mkdir(linkDir(), { recursive: true });
        const prefix = minors().get('3.11')!;
        await fs.symlink(path.join(prefix, 'bin/python3.11'), path.join(linkDir(), 'python3'));
        await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
      },
      change: async () => {
        await fs.rm(path.join(linkDir(), 'python3'));
      },
      reason:
        /^the venv's interpreter no longer resolves \(base interpreter .*distro-bin\/python3 vanished or moved\)$/,
    },
    {
      name: 'interpreter minor version changed',
      // The base is a python3 link that an upgrade points at 3.12 (a distribution's
      // /usr/bin/python3 moving to a new minor version).
      env: () => pathWith(linkDir()),
      prepare: async () => {
        await fs.mkdir(linkDir(), { recursive: true });
        await fs.rm(path.join(linkDir(), 'python3'), { force: true });
        const prefix = minors().get('3.11')!;
        await fs.symlink(path.join(prefix, 'bin/python3.11'), path.join(linkDir(), 'python3'));
        await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
      },
      change: async () => {
        await fs.rm(path.join(linkDir(), 'python3'));
        const prefix = minors().get('3.12')!;
        await fs.symlink(path.join(prefix, 'bin/python3.12'), path.join(linkDir(), 'python3'));
      },
      reason: /^the venv's interpreter now resolves to .*python3\.12, not .*python3\.11$/,
      after: async () => {
        expect(python('import sys; print(sys.version_info[:2])')).toBe('(3, 12)');
        await fs.rm(linkDir(), { recursive: true, force: true });
        await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
      },
    },
    {
      name: 'pyvenv.cfg deleted',
      change: () => fs.rm(path.join(repo.root, 'python/.venv/pyvenv.cfg')),
      reason: 'python/.venv/pyvenv.cfg is missing',
    },
    {
      name: 'marker deleted',
      change: () => fs.rm(path.join(repo.root, 'python/.venv/.onevenv-state.json')),
      reason: 'python/.venv has no onevenv state marker (not built by onevenv sync)',
    },
    {
      name: 'marker truncated',
      change: async () => {
        const file = path.join(repo.root, 'python/.venv/.onevenv-state.json');
        const text = await fs.readFile(file, 'utf8');
        await fs.writeFile(file, text.slice(0, Math.floor(text.length / 2)));
      },
      reason: "python/.venv's state marker is unreadable: it is not valid JSON (truncated?)",
    },
    {
      name: 'tool version changed',
      cli: () => otherCli,
      change: async () => {},
      reason: /^built by onevenv \S+, this is \S+-next$/,
      after: async () => {
        // And the current version sees the venv the new one built as stale, in turn.
        const back = await runCli(['status', '--json'], { cwd: repo.root });
        expect((parseJson(back.stdout) as StatusJson).state).toBe('stale');
        await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
      },
    },
    {
      name: 'editable path changed',
      change: async () => {
        const text = await repo.read('python/pyproject.toml');
        await repo.write('python/pyproject.toml', text.replace('"../replay"', '"../replay2"'));
      },
      reason: 'python/pyproject.toml changed since the last sync',
      after: async () => {
        expect(python('import replay; print(replay.WHO)')).toBe('second');
      },
    },
    {
      name: 'paths changed',
      change: async () => {
        const text = await repo.read('python/pyproject.toml');
        await repo.write('python/pyproject.toml', text.replace('"../build/a"', '"../build/b"'));
      },
      reason: 'python/pyproject.toml changed since the last sync',
      after: async () => {
        expect(python('import mod_b; print(mod_b.WHERE)')).toBe('b');
        expect(python('import importlib.util as u; print(u.find_spec("mod_a"))')).toBe('None');
      },
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s → stale, sync repairs', async (_, c) => {
    await c.prepare?.();
    // A ready venv to start from.
    const first = await cli(['sync', '--json'], c, false);
    expect([c.name, first.code]).toEqual([c.name, 0]);
    const ready = await statusOf(c, false, false);
    expect([c.name, ready.state, ready.reasons]).toEqual([c.name, 'ready', []]);

    await c.change();
    const stale = await statusOf(c);
    expect([c.name, stale.state]).toEqual([c.name, 'stale']);
    expect([c.name, stale.reasons]).toEqual([c.name, expect.arrayContaining([expect.any(String)])]);
    expect([
      c.name,
      stale.reasons.some((r) => (typeof c.reason === 'string' ? r === c.reason : c.reason.test(r))),
    ]).toEqual([c.name, true]);

    await repairAndCheck(c);
    await c.after?.();
    report('staleness case', { case: JSON.stringify(c.name), stale: 1, repaired: 1 });
  });

  it('--deep: a file deleted inside an installed package → stale; sync --deep repairs', async () => {
    const c: Case = { name: '--deep', change: async () => {}, reason: '' };
    const first = await cli(['sync', '--json'], c);
    expect(first.code).toBe(0);
    const site = python('import sysconfig; print(sysconfig.get_paths()["purelib"])');
    await fs.rm(path.join(site, 'tiny_sitter/__init__.py'));
    // The plain check reads no package files: it cannot see this.
    expect((await statusOf(c)).state).toBe('ready');
    const deep = await statusOf(c, true);
    expect([deep.state, deep.reasons]).toEqual([
      'stale',
      [expect.stringMatching(/tiny_sitter\/__init__\.py \(tiny-sitter\) is missing$/)],
    ]);
    await repairAndCheck(c, ['--deep']);
    expect(python('import tiny_sitter; print(tiny_sitter.LANGUAGES)')).toBe("['cpp']");
    expect((await statusOf(c, true)).state).toBe('ready');
    report('staleness matrix', { cases: cases.length + 1 });
  });
});
