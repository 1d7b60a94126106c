import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitEnv, makeRepo, type TempRepo } from '../../../test/helpers/repo.js';
import { siblingPaths } from '../../adapters/gitignore/detect.js';
import { loadConfig } from '../config.js';
import { CheckContext } from './context.js';
import { gitignoreTask } from './freshness.js';
import type { CheckResult } from './types.js';

/**
 * The gitignore check against the repository's .gitignore files, each case also asked of
 * `git check-ignore` on real files: the venv and everything onevenv keeps beside it must
 * be ignored, and the check names what is not.
 */

const ALL_SIBLINGS =
  'python/.venv.lock, python/.venv.lock.break, python/.venv.lock.*.tmp, python/.venv.lock.break.*.tmp, python/.venv.onevenv-trash-*';

interface Case {
  name: string;
  ignores: Record<string, string>;
  /** Of the venv and siblingPaths(), what git does not ignore. */
  notIgnoredByGit: string[];
  check: Omit<CheckResult, 'id' | 'kind' | 'target'>;
}

const cases: Case[] = [
  {
    name: 'the entries adopt writes now',
    ignores: { '.gitignore': 'build/\npython/.venv/\npython/.venv.*\n' },
    notIgnoredByGit: [],
    check: { ok: true, detail: 'python/.venv is ignored (.gitignore:2 python/.venv/)' },
  },
  {
    name: 'an older adopt: python/.venv/ alone',
    ignores: { '.gitignore': 'python/.venv/\nbuild/\n' },
    notIgnoredByGit: siblingPaths('python/.venv').map(([file]) => file),
    check: {
      ok: false,
      detail: `python/.venv is ignored (.gitignore:1 python/.venv/), but not what onevenv keeps beside it: ${ALL_SIBLINGS} (python/.venv.* ignores them)`,
      fix: 'add python/.venv.* to .gitignore (onevenv adopt --write adds it)',
    },
  },
  {
    name: 'a *.lock rule covers the lock, not its guard, temporary files or trash',
    ignores: { '.gitignore': 'python/.venv/\n*.lock\n' },
    notIgnoredByGit: siblingPaths('python/.venv')
      .map(([file]) => file)
      .filter((file) => file !== 'python/.venv.lock'),
    check: {
      ok: false,
      detail:
        'python/.venv is ignored (.gitignore:1 python/.venv/), but not what onevenv keeps beside it: python/.venv.lock.break, python/.venv.lock.*.tmp, python/.venv.lock.break.*.tmp, python/.venv.onevenv-trash-* (python/.venv.* ignores them)',
      fix: 'add python/.venv.* to .gitignore (onevenv adopt --write adds it)',
    },
  },
  {
    name: 'a later negation takes the lock back',
    ignores: { '.gitignore': 'python/.venv/\npython/.venv.*\n!python/.venv.lock\n' },
    notIgnoredByGit: ['python/.venv.lock'],
    check: {
      ok: false,
      detail:
        'python/.venv is ignored (.gitignore:1 python/.venv/), but not what onevenv keeps beside it: python/.venv.lock (python/.venv.* ignores them)',
      fix: 'add python/.venv.* to .gitignore (onevenv adopt --write adds it)',
    },
  },
  {
    name: 'python/.gitignore ignores the venv: that file is the one to extend',
    ignores: { '.gitignore': 'build/\n', 'python/.gitignore': '.venv/\n' },
    notIgnoredByGit: siblingPaths('python/.venv').map(([file]) => file),
    check: {
      ok: false,
      detail: `python/.venv is ignored (python/.gitignore:1 .venv/), but not what onevenv keeps beside it: ${ALL_SIBLINGS} (python/.venv.* ignores them)`,
      fix: 'add /.venv.* to python/.gitignore, the .gitignore that ignores python/.venv',
    },
  },
  {
    name: 'python/.gitignore extended as the fix says',
    ignores: { '.gitignore': 'build/\n', 'python/.gitignore': '.venv/\n/.venv.*\n' },
    notIgnoredByGit: [],
    check: { ok: true, detail: 'python/.venv is ignored (python/.gitignore:1 .venv/)' },
  },
  {
    name: 'one glob for the venv and everything beside it',
    ignores: { '.gitignore': 'build/\n.venv*\n' },
    notIgnoredByGit: [],
    check: { ok: true, detail: 'python/.venv is ignored (.gitignore:2 .venv*)' },
  },
  {
    name: 'nothing ignored: the fix names both entries',
    ignores: { '.gitignore': 'build/\n' },
    notIgnoredByGit: ['python/.venv', ...siblingPaths('python/.venv').map(([file]) => file)],
    check: {
      ok: false,
      detail: 'python/.venv is not ignored by any .gitignore',
      fix: 'add /python/.venv/ and python/.venv.* to .gitignore (onevenv adopt --write adds them)',
    },
  },
  {
    name: 'only the siblings ignored: the fix names the venv alone',
    ignores: { '.gitignore': 'python/.venv.*\n' },
    notIgnoredByGit: ['python/.venv'],
    check: {
      ok: false,
      detail: 'python/.venv is not ignored by any .gitignore',
      fix: 'add /python/.venv/ to .gitignore (onevenv adopt --write adds it)',
    },
  },
];

describe('check: gitignore', () => {
  let repo: TempRepo;
  const samples = [['python/.venv', true] as [string, boolean], ...siblingPaths('python/.venv')];

  beforeAll(async () => {
    repo = await makeRepo(
      { 'python/pyproject.toml': '[project]\nname = "x"\nversion = "0"\n' },
      { git: true },
    );
    // Real files and directories, so git answers for each kind of path as it would.
    for (const [file, isDirectory] of samples) {
      await repo.write(isDirectory ? `${file}/pyvenv.cfg` : file, '');
    }
  });
  afterAll(() => repo.cleanup());

  function notIgnoredByGit(): string[] {
    const result = spawnSync(
      'git',
      ['-c', 'core.excludesFile=/dev/null', 'check-ignore', '--stdin'],
      {
        cwd: repo.root,
        env: gitEnv(),
        input: samples.map(([file]) => file).join('\n'),
        encoding: 'utf8',
      },
    );
    if (result.status !== 0 && result.status !== 1) throw new Error(result.stderr);
    const ignored = new Set(result.stdout.split('\n').filter(Boolean));
    return samples.map(([file]) => file).filter((file) => !ignored.has(file));
  }

  it.each(cases)('$name', async ({ ignores, notIgnoredByGit: expectedByGit, check }) => {
    await fs.rm(path.join(repo.root, 'python/.gitignore'), { force: true });
    for (const [file, content] of Object.entries(ignores)) await repo.write(file, content);
    expect(notIgnoredByGit()).toEqual(expectedByGit);

    const context = new CheckContext(await loadConfig(repo.root), {
      only: new Set(),
      timeoutMs: 10_000,
      network: false,
      buildDirs: undefined,
      configure: false,
      env: process.env,
    });
    const outcome = await gitignoreTask.run(context);
    expect(outcome.checks).toEqual([
      { id: 'gitignore', kind: 'gitignore', target: 'python/.venv', ...check },
    ]);
  });
});
