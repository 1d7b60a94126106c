import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectReferences, runRewriter } from '../../../test/helpers/rewrite.js';
import { acquireEnvLock } from '../../core/venv/env-lock.js';
import { moveVenvAside } from '../../core/venv/venv-dir.js';
import { siblingPaths } from './detect.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

function rewrite(
  text: string,
  options: { file?: string; venvsOnDisk?: string[]; exists?: boolean } = {},
) {
  return runRewriter(adapter, rewriter, text, options.file ?? '.gitignore', {
    facts: { venvsOnDisk: options.venvsOnDisk ?? [] },
    exists: options.exists ?? true,
  });
}

const SEED =
  '# Build trees\nbuild/\ncmake-build-*/\n\n# Python\n__pycache__/\n*.pyc\nscripts/.venv/\nreplay/.venv/\n*.egg-info/\n';

describe('gitignore rewriter', () => {
  it('offers the root .gitignore even when it holds no venv entry', () => {
    expect(rewriter.extraFiles?.({} as never)).toEqual(['.gitignore']);
  });

  it('puts python/.venv/ and python/.venv.* where the old venv entries were and drops the rest (seed ticket)', () => {
    const run = rewrite(SEED);
    expect(run.text).toBe(
      '# Build trees\nbuild/\ncmake-build-*/\n\n# Python\n__pycache__/\n*.pyc\npython/.venv/\npython/.venv.*\n*.egg-info/\n',
    );
    expect(run.result.edits.map((edit) => edit.reason)).toEqual([
      'ignore python/.venv, instead of the old scripts/.venv',
      'the old replay/.venv is gone',
    ]);
    expect(run.result.skipped).toEqual([]);
    expect(run.after.map((r) => [r.text, r.environment, r.unified])).toEqual([
      ['python/.venv/', 'python/.venv', true],
    ]);
    // A second run changes nothing.
    expect(rewrite(run.text).result.edits).toEqual([]);
  });

  it('appends the entry when nothing covers python/.venv, and leaves a covered file alone', () => {
    expect(rewrite('build/\n*.log\n').text).toBe('build/\n*.log\npython/.venv/\npython/.venv.*\n');
    expect(rewrite('.venv*\nbuild/\n').result.edits).toEqual([]);
    expect(rewrite('python/\n').result.edits).toEqual([]);
    // A negation un-ignores it: the entry goes last so it wins.
    expect(rewrite('.venv/\n!python/.venv/\n').text).toBe(
      '.venv/\n!python/.venv/\npython/.venv/\npython/.venv.*\n',
    );
  });

  it('creates a root .gitignore that does not exist', () => {
    const run = rewrite('', { exists: false });
    expect(run.text).toBe('python/.venv/\npython/.venv.*\n');
  });

  it('keeps an old venv entry while that venv is still on disk, and says how to remove it', () => {
    const run = rewrite('scripts/.venv/\nreplay/.venv/\n', { venvsOnDisk: ['scripts/.venv'] });
    expect(run.text).toBe('scripts/.venv/\npython/.venv/\npython/.venv.*\n');
    expect(run.result.skipped.map((s) => [s.reference.text, s.reason])).toEqual([
      [
        'scripts/.venv/',
        'scripts/.venv still exists: the entry stays until it is removed (rm -rf scripts/.venv), then run adopt again',
      ],
    ]);
  });

  it('keeps generic patterns that ignore venvs by name anywhere', () => {
    const run = rewrite('__pycache__/\nvenv/\nenv/\n');
    expect(run.text).toBe('__pycache__/\nvenv/\nenv/\npython/.venv/\npython/.venv.*\n');
    expect(run.result.skipped.map((s) => s.reference.text)).toEqual(['venv/', 'env/']);
  });

  it('only removes old entries from a .gitignore below the root', () => {
    const run = rewrite('.venv/\n/venv/\n', { file: 'scripts/.gitignore' });
    expect(run.text).toBe('.venv/\n');
    expect(rewrite('build/\n', { file: 'scripts/.gitignore' }).result.edits).toEqual([]);
  });

  it('keeps CRLF line endings', () => {
    const run = rewrite('build/\r\nscripts/.venv/\r\nreplay/.venv/\r\n*.log\r\n');
    expect(run.text).toBe('build/\r\npython/.venv/\r\npython/.venv.*\r\n*.log\r\n');
    expect(rewrite('build/\r\n*.log\r\n').text).toBe(
      'build/\r\n*.log\r\npython/.venv/\r\npython/.venv.*\r\n',
    );
    expect(rewrite('build/\r\npython/.venv/\r\n*.log\r\n').text).toBe(
      'build/\r\npython/.venv/\r\npython/.venv.*\r\n*.log\r\n',
    );
  });

  it('keeps a missing final newline', () => {
    expect(rewrite('build/\nscripts/.venv/').text).toBe('build/\npython/.venv/\npython/.venv.*');
    expect(rewrite('build/\n*.log').text).toBe('build/\n*.log\npython/.venv/\npython/.venv.*');
    expect(rewrite('python/.venv/\nscripts/.venv/').text).toBe('python/.venv/\npython/.venv.*');
    expect(rewrite('python/.venv/').text).toBe('python/.venv/\npython/.venv.*');
  });
});

describe('the files onevenv keeps beside the venv', () => {
  it('a repository adopted with python/.venv/ alone gets python/.venv.* after it, once', () => {
    const old = '# Python\n__pycache__/\npython/.venv/\n*.egg-info/\n';
    const run = rewrite(old);
    expect(run.text).toBe('# Python\n__pycache__/\npython/.venv/\npython/.venv.*\n*.egg-info/\n');
    expect(run.result.edits).toEqual([
      {
        start: 35,
        end: 35,
        replacement: '\npython/.venv.*',
        reason: 'ignore the files onevenv keeps beside python/.venv',
      },
    ]);
    expect(run.after.map((r) => [r.text, r.environment, r.unified])).toEqual([
      ['python/.venv/', 'python/.venv', true],
    ]);
    expect(rewrite(run.text).result.edits).toEqual([]);
    // The entry that ignores the venv may be any that does: the new line goes after it.
    expect(rewrite('/python/.venv/\nbuild/\n').text).toBe(
      '/python/.venv/\npython/.venv.*\nbuild/\n',
    );
    expect(rewrite('.venv/\nbuild/\n').text).toBe('.venv/\npython/.venv.*\nbuild/\n');
  });

  it('goes last when a later rule would un-ignore it, and leaves another .gitignore to its owner', () => {
    expect(rewrite('python/.venv/\n!*.lock\n').text).toBe(
      'python/.venv/\n!*.lock\npython/.venv.*\n',
    );
    expect(rewrite('scripts/.venv/\n!*.lock\n').text).toBe(
      '!*.lock\npython/.venv/\npython/.venv.*\n',
    );
    // python/.gitignore ignores the venv: the root .gitignore is not touched.
    const elsewhere = runRewriter(adapter, rewriter, 'build/\n', '.gitignore', {
      facts: {
        references: [
          {
            file: 'python/.gitignore',
            line: 1,
            column: 1,
            span: { start: 0, end: 6 },
            text: '.venv/',
            kind: 'gitignore-entry',
            adapter: 'gitignore',
            consumer: 'gitignore python/.gitignore',
            environment: 'python/.venv',
            unified: true,
            meta: { unifiedVenvIgnored: true },
          },
        ],
      },
    });
    expect(elsewhere.result.edits).toEqual([]);
  });

  it('is not reported as a venv entry, and does not make env/ look like a venv', () => {
    expect(
      detectReferences(adapter, 'python/.venv/\npython/.venv.*\nenv/\n', '.gitignore').map((r) => [
        r.line,
        r.text,
        r.environment,
      ]),
    ).toEqual([[1, 'python/.venv/', 'python/.venv']]);
    expect(detectReferences(adapter, '.venv.*\n', 'python/.gitignore').map((r) => r.text)).toEqual(
      [],
    );
    // A backup of a venv is still one.
    expect(
      detectReferences(adapter, 'python/.venv.bak/\n', '.gitignore').map((r) => r.environment),
    ).toEqual(['python/.venv.bak']);
  });
});

describe('git agrees: nothing onevenv writes beside the venv shows in git status', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'onevenv-gitignore-siblings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function git(args: string[], input?: string): string {
    try {
      return execFileSync('git', args, { cwd: dir, input, encoding: 'utf8' });
    } catch (error) {
      // check-ignore exits 1 when nothing is ignored.
      return (error as { stdout?: string }).stdout ?? '';
    }
  }

  it('with the entry adopt writes, for an adopted repository and a new one', async () => {
    execFileSync('git', ['init', '-q', dir]);
    const venv = path.join(dir, 'python', '.venv');
    mkdirSync(path.join(venv, 'bin'), { recursive: true });
    writeFileSync(path.join(venv, 'bin', 'python'), '');
    writeFileSync(path.join(dir, 'python', 'pyproject.toml'), '[project]\n');
    // The real lock sync takes (its holder rewritten through a temporary file), a venv
    // moved aside mid-rebuild, and one name of each temporary file the lock protocol uses.
    const lock = await acquireEnvLock(`${venv}.lock`, { timeoutSeconds: 5 });
    await lock.recordChildren([]);
    const trash = await moveVenvAside(venv);
    mkdirSync(path.join(venv, 'bin'), { recursive: true });
    writeFileSync(path.join(venv, 'bin', 'python'), '');
    for (const [file, isDirectory] of siblingPaths('python/.venv')) {
      if (isDirectory || existsSync(path.join(dir, file))) continue;
      writeFileSync(path.join(dir, file), '');
    }
    const siblings = [
      'python/.venv.lock',
      `python/${path.basename(trash)}/bin/python`,
      ...siblingPaths('python/.venv')
        .filter(([, isDirectory]) => !isDirectory)
        .map(([file]) => file),
    ];

    function status(gitignore: string): string[] {
      writeFileSync(path.join(dir, '.gitignore'), gitignore);
      return git(['status', '--porcelain', '--untracked-files=all']).split('\n').filter(Boolean);
    }

    // The old entry leaves them all in front of `git add`.
    expect(status('python/.venv/\n')).toEqual(
      [
        '?? .gitignore',
        '?? python/.venv.lock',
        '?? python/.venv.lock.4242.0123abcd.tmp',
        '?? python/.venv.lock.break',
        '?? python/.venv.lock.break.4242.0123abcd.tmp',
        `?? python/${path.basename(trash)}/bin/python`,
        '?? python/pyproject.toml',
      ].sort(),
    );
    for (const text of [rewrite('python/.venv/\n').text, rewrite('', { exists: false }).text]) {
      expect(text).toBe('python/.venv/\npython/.venv.*\n');
      expect(status(text)).toEqual(['?? .gitignore', '?? python/pyproject.toml']);
      expect(
        git(['check-ignore', '--no-index', '--stdin'], `${siblings.join('\n')}\n`)
          .split('\n')
          .filter(Boolean),
      ).toEqual(siblings);
    }
    await lock.release();
  });
});
