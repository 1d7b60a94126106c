import { expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

it('prints a git-style unified diff', () => {
  expect(unifiedDiff('python/x.toml', 'a\nb\nc\n', 'a\nB\nc\n')).toBe(
    [
      'diff --git a/python/x.toml b/python/x.toml',
      '--- a/python/x.toml',
      '+++ b/python/x.toml',
      '@@ -1,3 +1,3 @@',
      ' a',
      '-b',
      '+B',
      ' c',
      '',
    ].join('\n'),
  );
});

it('shows a new file against /dev/null, and nothing for no change', () => {
  expect(unifiedDiff('n.txt', undefined, 'x\n')).toBe(
    [
      'diff --git a/n.txt b/n.txt',
      '--- /dev/null',
      '+++ b/n.txt',
      '@@ -0,0 +1,1 @@',
      '+x',
      '',
    ].join('\n'),
  );
  expect(unifiedDiff('same', 'x', 'x')).toBe('');
});
