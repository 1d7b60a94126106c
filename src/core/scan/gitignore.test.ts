import { describe, expect, it } from 'vitest';
import { isIgnored, parseIgnoreFile } from './gitignore.js';

function ignored(text: string, paths: Array<[string, boolean]>, base = ''): string[] {
  const files = [parseIgnoreFile(text, base)];
  return paths.filter(([p, dir]) => isIgnored(files, p, dir)).map(([p]) => p);
}

describe('gitignore rules', () => {
  it('matches a bare name at any depth, files and directories alike', () => {
    expect(
      ignored('.venv\n*.pyc\n', [
        ['.venv', true],
        ['scripts/.venv', true],
        ['a/b/x.pyc', false],
        ['venv', true],
        ['x.pyc.txt', false],
      ]),
    ).toEqual(['.venv', 'scripts/.venv', 'a/b/x.pyc']);
  });

  it('anchors patterns with a leading or inner slash, and a trailing slash means directories', () => {
    expect(
      ignored('/build\nscripts/.venv/\ndocs/*.md\n', [
        ['build', true],
        ['sub/build', true],
        ['scripts/.venv', true],
        ['scripts/.venv', false],
        ['other/scripts/.venv', true],
        ['docs/a.md', false],
        ['docs/deep/a.md', false],
      ]),
    ).toEqual(['build', 'scripts/.venv', 'docs/a.md']);
  });

  it('supports **, ?, character classes, escapes, comments and trailing spaces', () => {
    expect(
      ignored(
        '# a comment\n**/cache\nlogs/**\na/**/z\nfile?.txt\n[abc].cfg\n[!x]y\n\\#hash\nspace  \n\\!bang\n',
        [
          ['cache', true],
          ['deep/er/cache', true],
          ['logs', true],
          ['logs/x/y', false],
          ['a/z', false],
          ['a/b/c/z', false],
          ['file1.txt', false],
          ['file12.txt', false],
          ['b.cfg', false],
          ['d.cfg', false],
          ['ay', false],
          ['xy', false],
          ['#hash', false],
          ['# a comment', false],
          ['space', false],
          ['!bang', false],
        ],
      ),
    ).toEqual([
      'cache',
      'deep/er/cache',
      'logs/x/y',
      'a/z',
      'a/b/c/z',
      'file1.txt',
      'b.cfg',
      'ay',
      '#hash',
      'space',
      '!bang',
    ]);
  });

  it('lets a later negation re-include, and the deepest .gitignore decide', () => {
    expect(
      ignored('*.log\n!keep.log\n', [
        ['a.log', false],
        ['keep.log', false],
      ]),
    ).toEqual(['a.log']);
    const files = [parseIgnoreFile('*.txt\n', ''), parseIgnoreFile('!notes.txt\nlocal\n', 'sub')];
    expect(isIgnored(files, 'sub/notes.txt', false)).toBe(false);
    expect(isIgnored(files, 'sub/other.txt', false)).toBe(true);
    expect(isIgnored(files, 'sub/local', false)).toBe(true);
    expect(isIgnored(files, 'notes.txt', false)).toBe(true);
  });

  it('reads CRLF files', () => {
    expect(
      ignored('.venv\r\nbuild/\r\n', [
        ['.venv', true],
        ['build', true],
      ]),
    ).toEqual(['.venv', 'build']);
  });
});
