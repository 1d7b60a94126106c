import { describe, expect, it } from 'vitest';
import { runRewriter } from '../../../test/helpers/rewrite.js';
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

  it('puts python/.venv/ where the old venv entries were and drops the rest (seed ticket)', () => {
    const run = rewrite(SEED);
    expect(run.text).toBe(
      '# Build trees\nbuild/\ncmake-build-*/\n\n# Python\n__pycache__/\n*.pyc\npython/.venv/\n*.egg-info/\n',
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
    expect(rewrite('build/\n*.log\n').text).toBe('build/\n*.log\npython/.venv/\n');
    expect(rewrite('.venv/\nbuild/\n').result.edits).toEqual([]);
    expect(rewrite('python/\n').result.edits).toEqual([]);
    // A negation un-ignores it: the entry goes last so it wins.
    expect(rewrite('.venv/\n!python/.venv/\n').text).toBe(
      '.venv/\n!python/.venv/\npython/.venv/\n',
    );
  });

  it('creates a root .gitignore that does not exist', () => {
    const run = rewrite('', { exists: false });
    expect(run.text).toBe('python/.venv/\n');
  });

  it('keeps an old venv entry while that venv is still on disk, and says how to remove it', () => {
    const run = rewrite('scripts/.venv/\nreplay/.venv/\n', { venvsOnDisk: ['scripts/.venv'] });
    expect(run.text).toBe('scripts/.venv/\npython/.venv/\n');
    expect(run.result.skipped.map((s) => [s.reference.text, s.reason])).toEqual([
      [
        'scripts/.venv/',
        'scripts/.venv still exists: the entry stays until it is removed (rm -rf scripts/.venv), then run adopt again',
      ],
    ]);
  });

  it('keeps generic patterns that ignore venvs by name anywhere', () => {
    const run = rewrite('__pycache__/\nvenv/\nenv/\n');
    expect(run.text).toBe('__pycache__/\nvenv/\nenv/\npython/.venv/\n');
    expect(run.result.skipped.map((s) => s.reference.text)).toEqual(['venv/', 'env/']);
  });

  it('only removes old entries from a .gitignore below the root', () => {
    const run = rewrite('.venv/\n/venv/\n', { file: 'scripts/.gitignore' });
    expect(run.text).toBe('.venv/\n');
    expect(rewrite('build/\n', { file: 'scripts/.gitignore' }).result.edits).toEqual([]);
  });

  it('keeps CRLF line endings', () => {
    const run = rewrite('build/\r\nscripts/.venv/\r\nreplay/.venv/\r\n*.log\r\n');
    expect(run.text).toBe('build/\r\npython/.venv/\r\n*.log\r\n');
    expect(rewrite('build/\r\n*.log\r\n').text).toBe('build/\r\n*.log\r\npython/.venv/\r\n');
  });

  it('keeps a missing final newline', () => {
    expect(rewrite('build/\nscripts/.venv/').text).toBe('build/\npython/.venv/');
    expect(rewrite('build/\n*.log').text).toBe('build/\n*.log\npython/.venv/');
    expect(rewrite('python/.venv/\nscripts/.venv/').text).toBe('python/.venv/');
  });
});
