import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEditablePackage } from '../../test/helpers/editable.js';
import { hermeticEnv, writeLock } from '../../test/helpers/locked-repo.js';
import { cliPath, gitEnv, makeRepo, runCli, type TempRepo } from '../../test/helpers/repo.js';
import { installedPins, lockedPins } from '../../test/helpers/venv-checks.js';

/**
 * sync's features end to end, for both installers: editables and paths, import
 * validation and its overrides, relocking and --locked/--frozen, interpreter choice,
 * worktrees; and the no-op path's module budget.
 */

const installers = ['uv', 'pip'] as const;

function declaration(installer: string, groups: string, tool = ''): string {
  return [
    '[project]',
    'name = "features"',
    'version = "0"',
    'requires-python = ">=3.10"',
    '',
    '[dependency-groups]',
    groups,
    '',
    '[tool.onevenv]',
    `installer = "${installer}"`,
    tool,
  ].join('\n');
}

async function sync(repo: TempRepo, args: string[] = [], cwd = repo.root) {
  const result = await runCli(['sync', '--json', ...args], { cwd, env: hermeticEnv() });
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { ...result, json };
}

describe.each(installers)('%s: editables, paths and imports', (installer) => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': declaration(
          installer,
          'replay = ["alpha>=1"]\nbad = ["broken-import"]',
          'editable = ["../replay"]\npaths = ["../build/mods", "../build/later"]',
        ),
        'build/mods/native_mod.py': 'X = 42\n',
      },
      { git: true },
    );
    await writeEditablePackage(repo, 'replay', { name: 'replay' });
    await writeLock(repo.root);
  });
  afterAll(() => repo.cleanup());

  it('a failing import exits 1 naming group, module and error, on every run', async () => {
    const failed = [
      {
        group: 'bad',
        module: 'broken_import',
        error: 'ImportError: broken_import is broken on purpose',
      },
    ];
    const first = await sync(repo);
    expect(first.code).toBe(1);
    expect(first.json).toMatchObject({ changed: true, imports: { ok: false, failed } });
    expect(first.stderr).toContain(
      'warning build/later (tool.onevenv.paths) does not exist yet; it is on sys.path once it does\n',
    );
    expect(first.stderr).toContain(
      'error group bad: import broken_import failed: ImportError: broken_import is broken on purpose\n',
    );
    const again = await sync(repo);
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ changed: false, imports: { ok: false, failed } });
  });

  it('[tool.onevenv.imports] replaces the modules a group imports', async () => {
    const text = await repo.read('python/pyproject.toml');
    await repo.write(
      'python/pyproject.toml',
      `${text}\n[tool.onevenv.imports]\nbad = ["native_mod"]\n`,
    );
    await writeLock(repo.root);
    const result = await sync(repo);
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ changed: true, imports: { ok: true, failed: [] } });
  });

  it('editables are installed without deps, paths go through a .pth, run sees both', async () => {
    expect(installedPins(repo.root)).toEqual(
      [...(await lockedPins(repo.root)), 'replay==0.1.0'].sort(),
    );
    const pth = execFileSync(
      path.join(repo.root, 'python/.venv/bin/python'),
      [
        '-c',
        'import sysconfig; print(open(sysconfig.get_path("purelib") + "/_onevenv_paths.pth").read(), end="")',
      ],
      { encoding: 'utf8' },
    );
    expect(pth).toBe(
      `${path.join(repo.root, 'build/mods')}\n${path.join(repo.root, 'build/later')}\n`,
    );
    await repo.write('build/later/late_mod.py', 'Y = 1\n');
    const run = await runCli(
      [
        'run',
        '--',
        'python',
        '-c',
        'import native_mod, late_mod, replay; print(native_mod.X, late_mod.Y, replay.WHO)',
      ],
      { cwd: repo.root, env: hermeticEnv() },
    );
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 0,
      stdout: '42 1 editable\n',
      stderr: '',
    });
  });

  it('an editable package that fails to import is reported under its own name', async () => {
    await repo.write(
      'replay/src/replay/__init__.py',
      'raise RuntimeError("replay needs a build")\n',
    );
    // The source changed, not an input: force a rebuild of the state by touching the lock.
    await repo.write('python/requirements.txt', `${await repo.read('python/requirements.txt')}\n`);
    const result = await sync(repo);
    expect(result.code).toBe(1);
    expect(result.json).toMatchObject({
      imports: {
        ok: false,
        failed: [
          {
            group: 'editable:replay',
            module: 'replay',
            error: 'RuntimeError: replay needs a build',
          },
        ],
      },
    });
    await repo.write('replay/src/replay/__init__.py', 'import alpha\nWHO = "editable"\n');
  });

  it('a module on paths that is built later: imports are checked again until they pass', async () => {
    const text = await repo.read('python/pyproject.toml');
    await repo.write(
      'python/pyproject.toml',
      text.replace('bad = ["native_mod"]', 'bad = ["built_later"]'),
    );
    await writeLock(repo.root);
    const before = await sync(repo);
    expect(before.code).toBe(1);
    expect(before.json).toMatchObject({
      imports: {
        ok: false,
        failed: [
          {
            group: 'bad',
            module: 'built_later',
            error: "ModuleNotFoundError: No module named 'built_later'",
          },
        ],
      },
    });
    await repo.write('build/later/built_later.py', 'OK = True\n');
    const after = await sync(repo);
    expect({ code: after.code, json: after.json }).toMatchObject({
      code: 0,
      json: { changed: false, imports: { ok: true, failed: [] } },
    });
    const noop = await sync(repo);
    expect(noop.json).toMatchObject({ changed: false, imports: { ok: true } });
  });

  it("an editable's new metadata is installed once its pyproject.toml changes", async () => {
    await repo.write(
      'replay/tiny-package.json',
      JSON.stringify({ name: 'replay', version: '0.2.0', requires: ['alpha>=1'] }),
    );
    await repo.write(
      'replay/pyproject.toml',
      `${await repo.read('replay/pyproject.toml')}# 0.2.0\n`,
    );
    const result = await sync(repo);
    expect(result.json).toMatchObject({ changed: true });
    expect(installedPins(repo.root)).toContain('replay==0.2.0');
  });
});

describe.each(installers)('%s: the lock', (installer) => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeRepo(
      { 'python/pyproject.toml': declaration(installer, 'tools = ["beta"]') },
      { git: true },
    );
  });
  afterAll(() => repo.cleanup());

  it('no lock yet: sync locks first, then installs it', async () => {
    const result = await sync(repo);
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ changed: true, packages: 2, imports: { ok: true } });
    expect(await lockedPins(repo.root)).toEqual(['alpha==1.1.0', 'beta==1.0.0']);
    expect(installedPins(repo.root)).toEqual(['alpha==1.1.0', 'beta==1.0.0']);
    const status = await runCli(['status', '--json'], { cwd: repo.root });
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'ready', lock: { state: 'current' } });
  });

  it('--locked exits 1 on a stale lock and changes nothing', async () => {
    await repo.write(
      'python/pyproject.toml',
      declaration(installer, 'tools = ["beta", "twomods"]'),
    );
    const before = await repo.snapshot({ exclude: ['.git', 'python/.venv'] });
    const marker = await repo.read('python/.venv/.onevenv-state.json');
    const result = await sync(repo, ['--locked']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr:
        "error python/requirements.txt: python/requirements.txt is stale: python/pyproject.toml (or an editable package's pyproject.toml) changed since python/requirements.txt was generated (run onevenv lock and commit the result (--locked never relocks))\n",
    });
    expect(await repo.snapshot({ exclude: ['.git', 'python/.venv'] })).toEqual(before);
    expect(await repo.read('python/.venv/.onevenv-state.json')).toBe(marker);
  });

  it('--frozen installs the stale lock as it is; a plain sync then relocks', async () => {
    // Imports are checked against the declaration: the group's new package is missing.
    const frozen = await sync(repo, ['--frozen']);
    expect(frozen.code).toBe(1);
    expect(frozen.json).toMatchObject({
      changed: true,
      imports: {
        ok: false,
        failed: [
          { group: 'tools', module: 'twomods', error: 'distribution twomods is not installed' },
        ],
      },
    });
    expect(installedPins(repo.root)).toEqual(['alpha==1.1.0', 'beta==1.0.0']);
    const status = await runCli(['status', '--json'], { cwd: repo.root });
    expect(JSON.parse(status.stdout)).toMatchObject({
      state: 'stale',
      reasons: [
        'the lock was installed with --frozen, without checking it is current',
        "the lock is stale: python/pyproject.toml (or an editable package's pyproject.toml) changed since python/requirements.txt was generated",
      ],
    });
    const plain = await sync(repo);
    expect(plain.code).toBe(0);
    expect(installedPins(repo.root)).toEqual(['alpha==1.1.0', 'beta==1.0.0', 'twomods==1.0.0']);
  });

  it('a pin without a hash is refused before anything is installed', async () => {
    const lock = await repo.read('python/requirements.txt');
    const tampered = lock.replace(/^(twomods==1\.0\.0) \\\n\s+--hash=\S+\n/m, '$1\n');
    expect(tampered).not.toBe(lock);
    await repo.write('python/requirements.txt', tampered);
    const line = tampered.split('\n').findIndex((l) => l.startsWith('twomods==')) + 1;
    const result = await sync(repo, ['--frozen']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 2,
      stderr: `error python/requirements.txt:${line}: twomods==1.0.0 has no --hash; sync installs only hashed pins (run onevenv lock to regenerate the lock with hashes)\n`,
    });
    await repo.write('python/requirements.txt', lock);
  });
});

describe('the base interpreter', () => {
  it('none satisfies requires-python: exit 2 listing each one found, nothing changed', async () => {
    const repo = await makeRepo(
      {
        'python/pyproject.toml': declaration('uv', 'tools = ["alpha"]').replace('>=3.10', '>=3.99'),
      },
      { git: true },
    );
    try {
      await writeLock(repo.root);
      const before = await repo.snapshot();
      const result = await sync(repo);
      expect(result.code).toBe(2);
      const [first, ...found] = result.stderr.trimEnd().split('\n');
      expect(first).toMatch(
        /^error python\/pyproject\.toml:4: no Python interpreter satisfies requires-python >=3\.99 \(install a matching Python, or run with --python-install .*\); found \d+:$/,
      );
      expect(found.length).toBeGreaterThan(0);
      for (const line of found) {
        expect(line).toMatch(
          /^ {2}\/\S+( \([\d.]+\))?: (does not satisfy requires-python >=3\.99|is a virtual environment|.+)$/,
        );
      }
      expect(found.some((line) => line.endsWith(': does not satisfy requires-python >=3.99'))).toBe(
        true,
      );
      expect(await repo.snapshot()).toEqual(before);
    } finally {
      await repo.cleanup();
    }
  });

  it('.python-version at the root picks the minor version', async () => {
    const pyenv = path.join(
      process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'),
      'versions',
    );
    const available = readdirSync(pyenv).filter((v) => /^3\.1[0-9]\.\d+$/.test(v));
    const wanted = available
      .map((v) => v.split('.').slice(0, 2).join('.'))
      .sort()
      .reverse()[0]!;
    const repo = await makeRepo(
      {
        'python/pyproject.toml': declaration('uv', 'tools = ["alpha"]'),
        '.python-version': `${wanted}\n`,
      },
      { git: true },
    );
    try {
      await writeLock(repo.root);
      const result = await sync(repo);
      expect(result.code).toBe(0);
      expect(String(result.json?.pythonVersion)).toMatch(
        new RegExp(`^${wanted.replace('.', '\\.')}\\.\\d+$`),
      );
    } finally {
      await repo.cleanup();
    }
  });
});

describe.each(installers)('%s: worktrees', (installer) => {
  it('a worktree builds its own venv and leaves the main one alone', async () => {
    const repo = await makeRepo({
      'python/pyproject.toml': declaration(installer, 'tools = ["beta"]'),
      '.gitignore': 'python/.venv/\n',
    });
    const worktree = `${repo.root}-wt`;
    try {
      await writeLock(repo.root);
      const git = (...args: string[]) =>
        execFileSync('git', args, { cwd: repo.root, env: gitEnv(), stdio: 'ignore' });
      git('init', '-q', '-b', 'main');
      git('add', '-A');
      git('commit', '-q', '-m', 'initial');
      expect((await sync(repo)).code).toBe(0);
      const mainMarker = await repo.read('python/.venv/.onevenv-state.json');
      git('worktree', 'add', '-q', worktree);
      const result = await sync(repo, [], path.join(worktree, 'python'));
      expect(result.code).toBe(0);
      expect(result.json).toMatchObject({
        changed: true,
        venv: path.join(worktree, 'python/.venv'),
        python: path.join(worktree, 'python/.venv/bin/python'),
      });
      expect(await repo.read('python/.venv/.onevenv-state.json')).toBe(mainMarker);
      expect(installedPins(worktree)).toEqual(['alpha==1.1.0', 'beta==1.0.0']);
    } finally {
      await fs.rm(worktree, { recursive: true, force: true });
      await repo.cleanup();
    }
  });
});

describe('the no-op path', () => {
  it('loads no config parser, no installer code and no dependency', async () => {
    const repo = await makeRepo(
      { 'python/pyproject.toml': declaration('uv', 'tools = ["alpha"]') },
      { git: true },
    );
    try {
      await writeLock(repo.root);
      expect((await sync(repo)).code).toBe(0);
      // Hooks run on their own thread: each resolution is appended to a file synchronously.
      const hook = path.join(repo.root, 'hook.mjs');
      const log = path.join(repo.root, 'loaded.txt');
      const resolver = `import { appendFileSync } from 'node:fs'; export async function resolve(s, c, n) { const r = await n(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
      await fs.writeFile(
        hook,
        `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolver)}));\n`,
      );
      const result = spawnSync(process.execPath, ['--import', hook, cliPath, 'sync'], {
        cwd: repo.root,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      expect(result.status).toBe(0);
      const dist = `file://${path.dirname(cliPath).replace(/bin$/, 'dist')}/`;
      const loaded = [...new Set((await fs.readFile(log, 'utf8')).split('\n').filter(Boolean))];
      const core = loaded
        .filter((url) => url.startsWith(`${dist}core/`))
        .map((url) => url.slice(dist.length))
        .sort();
      expect(core).toEqual(['core/root.js', 'core/venv/marker.js', 'core/venv/quick.js']);
      expect(loaded.filter((url) => url.includes('node_modules'))).toEqual([]);
      expect(result.stderr).toContain('python/.venv is up to date (Python 3.');
    } finally {
      await repo.cleanup();
    }
  });
});
