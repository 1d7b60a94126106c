import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitEnv, makeRepo, runCli, type TempRepo } from '../../../test/helpers/repo.js';
import { installHook, uninstallHook } from './install.js';
import { renderHook } from './script.js';

const DEFAULT_WATCHED = ['python/requirements.txt', 'python/pyproject.toml', 'python/setup.sh'];

/** A stand-in for the generated python/setup.sh: records where and with what it ran. */
const SETUP_STAND_IN =
  '#!/bin/sh\necho "setup $(pwd)" >> "$HOOK_TEST_LOG"\n[ -z "$SETUP_EXIT" ] || exit "$SETUP_EXIT"\n';

const repos: TempRepo[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function repoWith(files: Record<string, string>): Promise<TempRepo> {
  const repo = await makeRepo(files, { git: true, prefix: 'onevenv-hook-' });
  repos.push(repo);
  return repo;
}

async function tempDir(): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-hook-log-')));
  dirs.push(dir);
  return dir;
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync('git', args, {
    cwd,
    env: { ...gitEnv(), ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function commitAll(cwd: string, message: string): void {
  execFileSync('git', ['add', '-A'], { cwd, env: gitEnv() });
  execFileSync('git', ['commit', '-q', '-m', message], { cwd, env: gitEnv() });
}

async function readLog(file: string): Promise<string[]> {
  try {
    return (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('onevenv hook install', () => {
  it('writes the hook, executable, and a second install changes nothing', async () => {
    const repo = await repoWith({ 'README.md': 'x\n' });
    const hook = path.join(repo.root, '.git/hooks/post-checkout');
    const first = await runCli(['hook', 'install', '--json'], { cwd: repo.root });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ action: 'installed', hook, chained: null });
    expect(first.stderr).toContain('python/pyproject.toml does not exist yet');
    expect(await fs.readFile(hook, 'utf8')).toEqual(
      renderHook({ watched: DEFAULT_WATCHED, setupScript: 'python/setup.sh' }),
    );
    expect((await fs.stat(hook)).mode & 0o777).toBe(0o755);
    const second = await runCli(['hook', 'install', '--json'], { cwd: repo.root });
    expect(JSON.parse(second.stdout)).toEqual({ action: 'unchanged', hook, chained: null });
  });

  it('passes sh -n under dash and bash', async () => {
    const text = renderHook({
      watched: ["it's/lock.txt", 'python/pyproject.toml'],
      setupScript: 'python/setup.sh',
    });
    for (const shell of ['dash', 'bash']) {
      const result = spawnSync(shell, ['-n'], { input: text, encoding: 'utf8' });
      expect({ shell, code: result.status, stderr: result.stderr }).toEqual({
        shell,
        code: 0,
        stderr: '',
      });
    }
  });

  it('watches the lock the declaration names', async () => {
    const repo = await repoWith({
      'python/pyproject.toml':
        '[project]\nname = "env"\nversion = "0"\n\n[tool.onevenv]\nlock = "locks/all.txt"\n',
    });
    const result = await installHook(repo.root);
    expect(result.configured).toBe(true);
    expect(await fs.readFile(result.hook, 'utf8')).toEqual(
      renderHook({
        watched: ['python/locks/all.txt', 'python/pyproject.toml', 'python/setup.sh'],
        setupScript: 'python/setup.sh',
      }),
    );
  });

  it('runs setup.sh in a new worktree, and between commits only when the lock differs', async () => {
    const logDir = await tempDir();
    const log = path.join(logDir, 'setup.log');
    const repo = await repoWith({
      'python/setup.sh': SETUP_STAND_IN,
      'python/requirements.txt': 'alpha==1.0.0\n',
      'README.md': 'one\n',
    });
    await installHook(repo.root);
    const env = { HOOK_TEST_LOG: log };

    expect(git(repo.root, ['switch', '-q', '-c', 'docs'], env).code).toBe(0);
    await repo.write('README.md', 'two\n');
    commitAll(repo.root, 'docs only');
    expect(git(repo.root, ['switch', '-q', '-c', 'lock'], env).code).toBe(0);
    await repo.write('python/requirements.txt', 'alpha==1.1.0\n');
    commitAll(repo.root, 'new pin');
    expect(await readLog(log)).toEqual([]);

    // docs → lock: the lock differs.
    expect(git(repo.root, ['switch', '-q', 'docs'], env).code).toBe(0);
    expect(await readLog(log)).toEqual([`setup ${repo.root}`]);
    // lock → main: differs again; main → docs: the same lock.
    expect(git(repo.root, ['switch', '-q', 'lock'], env).code).toBe(0);
    expect(git(repo.root, ['switch', '-q', 'main'], env).code).toBe(0);
    expect(git(repo.root, ['switch', '-q', 'docs'], env).code).toBe(0);
    expect(await readLog(log)).toEqual([
      `setup ${repo.root}`,
      `setup ${repo.root}`,
      `setup ${repo.root}`,
    ]);
    // A file checkout (flag 0) never runs it.
    await repo.write('python/requirements.txt', 'changed by hand\n');
    expect(git(repo.root, ['checkout', '--', 'python/requirements.txt'], env).code).toBe(0);
    expect(await readLog(log)).toHaveLength(3);

    // A new worktree always gets its venv, run inside the new worktree.
    const worktree = path.join(logDir, 'feature tree');
    const added = git(repo.root, ['worktree', 'add', '-q', worktree, 'lock'], env);
    expect(added.code).toBe(0);
    expect(added.stderr).toContain('onevenv: running python/setup.sh (post-checkout)');
    expect((await readLog(log)).slice(3)).toEqual([`setup ${worktree}`]);

    // ONEVENV_HOOK=0 skips it.
    const skipped = path.join(logDir, 'skipped');
    expect(
      git(repo.root, ['worktree', 'add', '-q', skipped, 'main'], { ...env, ONEVENV_HOOK: '0' })
        .code,
    ).toBe(0);
    expect(await readLog(log)).toHaveLength(4);
  });

  it('keeps an existing hook, runs it first, and uninstall puts it back byte for byte', async () => {
    const logDir = await tempDir();
    const log = path.join(logDir, 'setup.log');
    const repo = await repoWith({ 'python/setup.sh': SETUP_STAND_IN });
    const hook = path.join(repo.root, '.git/hooks/post-checkout');
    const theirs = '#!/bin/sh\necho "theirs $3" >> "$HOOK_TEST_LOG"\n';
    await fs.writeFile(hook, theirs, { mode: 0o755 });

    const installed = await installHook(repo.root);
    expect(installed).toEqual({
      action: 'installed',
      hook,
      chained: `${hook}.onevenv-chained`,
      configured: false,
    });
    const worktree = path.join(logDir, 'wt');
    expect(git(repo.root, ['worktree', 'add', '-q', worktree], { HOOK_TEST_LOG: log }).code).toBe(
      0,
    );
    expect(await readLog(log)).toEqual(['theirs 1', `setup ${worktree}`]);

    const removed = await uninstallHook(repo.root);
    expect(removed.action).toBe('removed');
    expect(await fs.readFile(hook, 'utf8')).toBe(theirs);
    expect((await fs.stat(hook)).mode & 0o777).toBe(0o755);
    await expect(fs.access(`${hook}.onevenv-chained`)).rejects.toThrow();
    expect((await uninstallHook(repo.root)).action).toBe('foreign');
  });

  it("fails the git command with the chained hook's status, or 1 when setup.sh fails", async () => {
    const logDir = await tempDir();
    const log = path.join(logDir, 'setup.log');
    const repo = await repoWith({ 'python/setup.sh': SETUP_STAND_IN });
    await installHook(repo.root);
    const failed = git(repo.root, ['worktree', 'add', '-q', path.join(logDir, 'a')], {
      HOOK_TEST_LOG: log,
      SETUP_EXIT: '4',
    });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(
      `onevenv: python/setup.sh failed; run it in ${path.join(logDir, 'a')} to see why`,
    );
  });

  it('honours core.hooksPath', async () => {
    const repo = await repoWith({ 'README.md': 'x\n' });
    execFileSync('git', ['config', 'core.hooksPath', '.githooks'], { cwd: repo.root });
    const result = await installHook(repo.root);
    expect(result.hook).toBe(path.join(repo.root, '.githooks/post-checkout'));
    expect(await repo.exists('.githooks/post-checkout')).toBe(true);
    expect(await repo.exists('.git/hooks/post-checkout')).toBe(false);
  });

  it('refuses when both a foreign hook and a chained one exist, changing nothing', async () => {
    const repo = await repoWith({ 'README.md': 'x\n' });
    const hook = path.join(repo.root, '.git/hooks/post-checkout');
    await fs.writeFile(hook, '#!/bin/sh\necho mine\n', { mode: 0o755 });
    await fs.writeFile(`${hook}.onevenv-chained`, '#!/bin/sh\necho older\n', { mode: 0o755 });
    const before = await repo.snapshot({ exclude: ['.git/objects', '.git/logs'] });
    const result = await runCli(['hook', 'install'], { cwd: repo.root });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error ${hook} is not onevenv's, and post-checkout.onevenv-chained already exists beside it (merge the two by hand or remove one of them, then run onevenv hook install)\n`,
    );
    expect(await repo.snapshot({ exclude: ['.git/objects', '.git/logs'] })).toEqual(before);
  });

  it('says which actions exist', async () => {
    const repo = await repoWith({ 'README.md': 'x\n' });
    const result = await runCli(['hook', 'frob'], { cwd: repo.root });
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 2,
      stderr:
        "error 'frob' is not a hook action (use onevenv hook install, or onevenv hook uninstall)\n",
    });
    const outside = await tempDir();
    const noRepo = await runCli(['hook', 'install'], { cwd: outside });
    expect(noRepo.code).toBe(2);
  });
});
