import { execFileSync } from 'node:child_process';
import { promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEditablePackage } from '../../../test/helpers/editable.js';
import { hermeticEnv, writeLock } from '../../../test/helpers/locked-repo.js';
import { gitEnv, makeRepo, runCli, type TempRepo } from '../../../test/helpers/repo.js';
import { onevenvCacheDir } from '../cache-dir.js';
import { loadConfig } from '../config.js';
import { generateSetupScript } from '../setup-script/generate.js';
import {
  editableFingerprint,
  type ImportProof,
  MAX_PROOFS,
  PROOF_FORMAT,
  type ProofInputs,
  proofKey,
  readProof,
  writeProof,
} from './import-proof.js';

describe('onevenvCacheDir', () => {
  it('takes ONEVENV_CACHE_DIR, then an absolute XDG_CACHE_HOME, then ~/.cache', () => {
    expect(onevenvCacheDir({ ONEVENV_CACHE_DIR: '/c/one', XDG_CACHE_HOME: '/x' })).toBe('/c/one');
    expect(onevenvCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/onevenv');
    expect(onevenvCacheDir({ XDG_CACHE_HOME: 'relative' })).toBe(
      path.join(os.homedir(), '.cache', 'onevenv'),
    );
    expect(onevenvCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'onevenv'));
  });
});

describe('proofKey', () => {
  let temp: string;
  let inputsAt: (root: string) => ProofInputs;

  async function project(root: string) {
    await fs.mkdir(path.join(root, 'pkg/src/pkg/__pycache__'), { recursive: true });
    await fs.writeFile(path.join(root, 'pkg/pyproject.toml'), '[project]\nname = "pkg"\n');
    await fs.writeFile(path.join(root, 'pkg/src/pkg/__init__.py'), 'X = 1\n');
    await fs.mkdir(path.join(root, 'build/mods'), { recursive: true });
  }

  beforeAll(async () => {
    temp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-proof-')));
    await project(path.join(temp, 'a'));
    await project(path.join(temp, 'b'));
    inputsAt = (root) => ({
      lockText: 'alpha==1.0.0 --hash=sha256:00\n',
      python: { real: '/usr/bin/python3.11', identity: '1:2:3:4', version: '3.11.7' },
      groups: [
        { name: 'dev', requirements: [{ name: 'alpha' }], modules: undefined },
        { name: 'editable:pkg', editables: [path.join(root, 'pkg')] },
      ],
      editables: [path.join(root, 'pkg')],
      paths: [path.join(root, 'build/mods')],
      root,
    });
  });
  afterAll(() => fs.rm(temp, { recursive: true, force: true }));

  it('is the same for the same files at another path (a new worktree)', () => {
    const a = proofKey(inputsAt(path.join(temp, 'a')));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(proofKey(inputsAt(path.join(temp, 'b')))).toBe(a);
  });

  it('changes with the lock, the interpreter, the modules, an editable file and a paths entry', async () => {
    const root = path.join(temp, 'a');
    const base = inputsAt(root);
    const key = proofKey(base)!;
    const variants: ProofInputs[] = [
      { ...base, lockText: 'alpha==1.1.0 --hash=sha256:00\n' },
      { ...base, python: { ...base.python, identity: '1:2:3:5' } },
      { ...base, python: { ...base.python, real: '/opt/python3.11' } },
      { ...base, groups: [{ name: 'dev', requirements: [{ name: 'alpha' }], modules: ['a'] }] },
      { ...base, paths: [] },
    ];
    const keys = variants.map((inputs) => proofKey(inputs));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);

    await fs.writeFile(path.join(root, 'pkg/src/pkg/__init__.py'), 'X = 2\n');
    const edited = proofKey(base);
    await fs.writeFile(path.join(root, 'pkg/src/pkg/__init__.py'), 'X = 1\n');
    expect(edited).not.toBe(key);
    expect(proofKey(base)).toBe(key);

    await fs.writeFile(path.join(root, 'build/mods/native_mod.py'), 'Y = 1\n');
    const built = proofKey(base);
    await fs.rm(path.join(root, 'build/mods/native_mod.py'));
    expect(built).not.toBe(key);
    expect(proofKey(base)).toBe(key);
  });

  it('ignores what imports never read: bytecode, build output, egg-info, dot-directories', async () => {
    const root = path.join(temp, 'a');
    const key = proofKey(inputsAt(root));
    await fs.writeFile(path.join(root, 'pkg/src/pkg/__pycache__/x.cpython-311.pyc'), 'pyc');
    await fs.mkdir(path.join(root, 'pkg/src/pkg.egg-info'), { recursive: true });
    await fs.writeFile(path.join(root, 'pkg/src/pkg.egg-info/PKG-INFO'), 'Name: pkg\n');
    await fs.mkdir(path.join(root, 'pkg/build/lib'), { recursive: true });
    await fs.writeFile(path.join(root, 'pkg/build/lib/x.py'), '');
    await fs.mkdir(path.join(root, 'pkg/.pytest_cache'), { recursive: true });
    await fs.writeFile(path.join(root, 'pkg/.pytest_cache/v'), '1');
    expect(proofKey(inputsAt(root))).toBe(key);
  });

  it('is undefined for an editable project that cannot be read', () => {
    const inputs = inputsAt(path.join(temp, 'a'));
    expect(editableFingerprint(path.join(temp, 'missing'))).toBeUndefined();
    expect(proofKey({ ...inputs, editables: [path.join(temp, 'missing')] })).toBeUndefined();
  });

  it(`keeps the ${MAX_PROOFS} most recently written proofs`, async () => {
    const dir = path.join(temp, 'pruned');
    await fs.mkdir(path.join(dir, 'import-proofs'), { recursive: true });
    const proof: ImportProof = { format: PROOF_FORMAT, packages: 1, groups: [], provedAt: '' };
    for (let i = 0; i < MAX_PROOFS; i += 1) {
      const file = path.join(dir, 'import-proofs', `old-${String(i).padStart(3, '0')}.json`);
      await fs.writeFile(file, JSON.stringify(proof));
      const when = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
      await fs.utimes(file, when, when);
    }
    await writeProof(dir, 'new', proof);
    const left = readdirSync(path.join(dir, 'import-proofs')).sort();
    expect(left).toHaveLength(MAX_PROOFS);
    expect(left.includes('old-000.json')).toBe(false);
    expect(left.includes('old-001.json')).toBe(true);
    expect(left.includes('new.json')).toBe(true);
  });

  it('reads back what it wrote, and nothing of another format', async () => {
    const dir = path.join(temp, 'cache');
    const proof: ImportProof = {
      format: PROOF_FORMAT,
      packages: 3,
      groups: [{ name: 'dev', modules: ['alpha'] }],
      provedAt: '2026-01-01T00:00:00.000Z',
    };
    await writeProof(dir, 'k1', proof);
    expect(readProof(dir, 'k1')).toEqual(proof);
    await writeProof(dir, 'k2', { ...proof, format: PROOF_FORMAT + 1 });
    expect(readProof(dir, 'k2')).toBeUndefined();
    expect(readProof(dir, 'absent')).toBeUndefined();
  });
});

/**
 * Real uv against the wheelhouse: an editable package that counts its imports in a file
 * shows when sync imports and when it trusts a proof.
 */
describe('sync with uv: an import check that passed is not repeated for the same inputs', () => {
  let repo: TempRepo;
  let cache: string;
  let counter: string;
  const env = () => ({ ...hermeticEnv(), ONEVENV_CACHE_DIR: cache });
  const imports = async () => (await fs.readFile(counter, 'utf8').catch(() => '')).length;
  const proofs = () => readdirSync(path.join(cache, 'import-proofs')).sort();

  async function sync(cwd = repo.root, extra: NodeJS.ProcessEnv = {}) {
    const result = await runCli(['sync', '--json'], { cwd, env: { ...env(), ...extra } });
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as { changed: boolean; packages: number; imports: unknown };
  }

  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': [
          '[project]',
          'name = "proofs"',
          'version = "0"',
          'requires-python = ">=3.10"',
          '',
          '[dependency-groups]',
          'dev = ["alpha>=1,<2"]',
          '',
          '[tool.onevenv]',
          'installer = "uv"',
          'editable = ["../counted"]',
          '',
        ].join('\n'),
      },
      { name: 'repo' },
    );
    cache = path.join(repo.root, '..', 'cache');
    counter = path.join(repo.root, '..', 'imports.log');
    await writeEditablePackage(repo, 'counted', {
      name: 'counted',
      requires: [],
      init: `open(${JSON.stringify(counter)}, "a").write("i")\nWHO = "counted"\n`,
    });
    await repo.write('.gitignore', 'python/.venv/\n');
    await writeLock(repo.root);
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: repo.root, stdio: 'ignore', env: gitEnv() });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
  });
  afterAll(() => repo.cleanup());

  it('imports on the first build and remembers the proof', async () => {
    const first = await sync();
    expect(first).toMatchObject({ changed: true, imports: { ok: true, failed: [] } });
    expect(await imports()).toBe(1);
    expect(proofs()).toHaveLength(1);
  });

  it('a venv deleted and built again is not imported again', async () => {
    const packages = (await sync()).packages;
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
    const again = await sync();
    expect(again).toMatchObject({ changed: true, packages, imports: { ok: true, failed: [] } });
    expect(await imports()).toBe(1);
    const status = await runCli(['status', '--json'], { cwd: repo.root, env: env() });
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'ready', imports: { ok: true } });
  });

  it('a new worktree of the same commit takes the proof, and its venv imports its own files', async () => {
    const worktree = path.join(repo.root, '..', 'worktree');
    execFileSync('git', ['worktree', 'add', '-q', '--detach', worktree], {
      cwd: repo.root,
      env: gitEnv(),
    });
    const result = await sync(worktree);
    expect(result).toMatchObject({ changed: true, imports: { ok: true, failed: [] } });
    expect(await imports()).toBe(1);
    const file = execFileSync(
      path.join(worktree, 'python/.venv/bin/python'),
      ['-c', 'import counted; print(counted.__file__)'],
      { encoding: 'utf8' },
    ).trim();
    expect(file).toBe(path.join(worktree, 'counted/src/counted/__init__.py'));
    expect(await imports()).toBe(2);
  });

  it('an edited editable project is imported again, and gets its own proof', async () => {
    await repo.write(
      'counted/src/counted/__init__.py',
      `open(${JSON.stringify(counter)}, "a").write("i")\nWHO = "counted, edited"\n`,
    );
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
    const before = await imports();
    await sync();
    expect(await imports()).toBe(before + 1);
    expect(proofs()).toHaveLength(2);
  });

  it('a proof whose package count does not match the venv is not trusted', async () => {
    // The newest proof is the edited project's: the current inputs.
    const newest = proofs()
      .map((file) => ({
        key: file.replace(/\.json$/, ''),
        proof: readProof(cache, file.replace(/\.json$/, ''))!,
      }))
      .sort((a, b) => a.proof.provedAt.localeCompare(b.proof.provedAt))
      .pop()!;
    await writeProof(cache, newest.key, { ...newest.proof, packages: 999 });
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
    const before = await imports();
    const result = await sync();
    expect(await imports()).toBe(before + 1);
    expect(readProof(cache, newest.key)?.packages).toBe(result.packages);
    expect(result.packages).toBe(newest.proof.packages);
  });
});

describe.each(['uv', 'pip'] as const)(
  '%s: a single-file module imported after sync leaves the venv ready',
  (installer) => {
    let repo: TempRepo;
    beforeAll(async () => {
      repo = await makeRepo(
        {
          'python/pyproject.toml': [
            '[project]',
            'name = "bytecode"',
            'version = "0"',
            'requires-python = ">=3.10"',
            '',
            '[dependency-groups]',
            'dev = ["twomods"]',
            '',
            '[tool.onevenv]',
            `installer = "${installer}"`,
            '',
            '[tool.onevenv.imports]',
            'dev = ["twomods_a"]',
            '',
          ].join('\n'),
        },
        { git: true },
      );
      await writeLock(repo.root);
      await fs.writeFile(
        path.join(repo.root, 'python/setup.sh'),
        generateSetupScript(await loadConfig(repo.root)),
        { mode: 0o755 },
      );
    });
    afterAll(() => repo.cleanup());

    it('python creates site-packages/__pycache__ for twomods_b; sync and setup.sh still find it up to date', async () => {
      const first = await runCli(['sync', '--json'], { cwd: repo.root, env: hermeticEnv() });
      expect(first.code).toBe(0);
      const python = path.join(repo.root, 'python/.venv/bin/python');
      const site = execFileSync(
        python,
        ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
        {
          encoding: 'utf8',
        },
      ).trim();
      execFileSync(python, ['-c', 'import twomods_b'], {
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '' },
      });
      expect(
        readdirSync(path.join(site, '__pycache__')).filter((f) => f.startsWith('twomods_b')),
      ).toHaveLength(1);
      const again = await runCli(['sync', '--json'], { cwd: repo.root, env: hermeticEnv() });
      expect(JSON.parse(again.stdout)).toMatchObject({ changed: false });
      const setup = execFileSync('sh', ['python/setup.sh'], {
        cwd: repo.root,
        env: { ...process.env, ...hermeticEnv() },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(setup).toBe('');
      const status = await runCli(['status', '--json'], { cwd: repo.root, env: hermeticEnv() });
      expect(JSON.parse(status.stdout)).toMatchObject({ state: 'ready', reasons: [] });
    });
  },
);
