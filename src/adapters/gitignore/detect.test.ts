import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { detectContext } from '../../../test/helpers/adapter.js';
import { parseIgnoreFile } from '../../core/scan/gitignore.js';
import type { Reference } from '../types.js';
import {
  coverageOf,
  detectGitignoreReferences,
  isGitignoreFile,
  isPathIgnored,
  unifiedVenvCoverage,
} from './detect.js';

function detect(text: string, file = '.gitignore'): Reference[] {
  return detectGitignoreReferences(text, file, detectContext)?.references ?? [];
}

function brief(refs: Reference[]) {
  return refs.map((ref) => ({ line: ref.line, text: ref.text, environment: ref.environment }));
}

describe('gitignore adapter', () => {
  it('reads .gitignore files at any depth', () => {
    expect(
      ['.gitignore', 'scripts/.gitignore', 'a.gitignore', '.gitignore.bak'].map(isGitignoreFile),
    ).toEqual([true, true, false, false]);
  });

  it('reports the seed ticket entries with the venvs they name and whether python/.venv is covered', () => {
    const text =
      '# Build trees\nbuild/\ncmake-build-*/\n\n# Python\n__pycache__/\n*.pyc\nscripts/.venv/\nreplay/.venv/\n*.egg-info/\n';
    expect(detect(text)).toEqual([
      {
        file: '.gitignore',
        line: 8,
        column: 1,
        span: { start: 65, end: 79 },
        text: 'scripts/.venv/',
        kind: 'gitignore-entry',
        adapter: 'gitignore',
        consumer: 'gitignore .gitignore',
        environment: 'scripts/.venv',
        meta: {
          pattern: 'scripts/.venv/',
          anyDepth: false,
          coversUnifiedVenv: false,
          unifiedVenvIgnored: false,
        },
      },
      {
        file: '.gitignore',
        line: 9,
        column: 1,
        span: { start: 80, end: 93 },
        text: 'replay/.venv/',
        kind: 'gitignore-entry',
        adapter: 'gitignore',
        consumer: 'gitignore .gitignore',
        environment: 'replay/.venv',
        meta: {
          pattern: 'replay/.venv/',
          anyDepth: false,
          coversUnifiedVenv: false,
          unifiedVenvIgnored: false,
        },
      },
    ]);
  });

  it('returns null for an empty file, comments only, and files without venv entries', () => {
    expect(detectGitignoreReferences('', '.gitignore', detectContext)).toBeNull();
    expect(detectGitignoreReferences('# .venv/\n\n   \n', '.gitignore', detectContext)).toBeNull();
    expect(
      detectGitignoreReferences(
        'build/\n*.log\n.env\nnode_modules/\n',
        '.gitignore',
        detectContext,
      ),
    ).toBeNull();
  });

  it('never throws on odd input: binary bytes, lone brackets, escapes', () => {
    expect(brief(detect('\u0000\u0001\n[\n\\\n!\n/\n**\n.venv[\n'))).toEqual([
      { line: 7, text: '.venv[', environment: '.venv[' },
    ]);
  });

  it('reports an entry that covers the unified venv with that environment', () => {
    const refs = detect('.venv/\npython/.venv/\n');
    expect(brief(refs)).toEqual([
      { line: 1, text: '.venv/', environment: 'python/.venv' },
      { line: 2, text: 'python/.venv/', environment: 'python/.venv' },
    ]);
    expect(
      refs.map((ref) => [
        ref.meta?.anyDepth,
        ref.meta?.coversUnifiedVenv,
        ref.meta?.unifiedVenvIgnored,
      ]),
    ).toEqual([
      [true, true, true],
      [false, true, true],
    ]);
    expect(refs[0]?.meta?.unifiedVenvDecidedBy).toBe('.gitignore:2 python/.venv/');
  });

  it('takes the .gitignore directory into account', () => {
    expect(brief(detect('.venv/\n/venv/\nold/.venv/\n', 'scripts/.gitignore'))).toEqual([
      { line: 1, text: '.venv/', environment: 'scripts/.venv' },
      { line: 2, text: '/venv/', environment: 'scripts/venv' },
      { line: 3, text: 'old/.venv/', environment: 'scripts/old/.venv' },
    ]);
    // A .gitignore inside python/ covers python/.venv with a bare name.
    const refs = detect('.venv\n', 'python/.gitignore');
    expect(brief(refs)).toEqual([{ line: 1, text: '.venv', environment: 'python/.venv' }]);
    expect(refs[0]?.meta?.unifiedVenvIgnored).toBe(true);
    // One in another directory cannot say anything about python/.venv.
    expect(detect('.venv\n', 'replay/.gitignore')[0]?.meta?.unifiedVenvIgnored).toBeUndefined();
  });

  it('handles ** forms, globs and contents-only patterns', () => {
    const refs = detect('**/.venv\nscripts/.venv/**\ntools/*/venv/\n.venv*/\n');
    expect(brief(refs)).toEqual([
      { line: 1, text: '**/.venv', environment: 'python/.venv' },
      { line: 2, text: 'scripts/.venv/**', environment: 'scripts/.venv' },
      { line: 3, text: 'tools/*/venv/', environment: 'tools/*/venv' },
      { line: 4, text: '.venv*/', environment: 'python/.venv' },
    ]);
    expect(refs.map((ref) => [ref.meta?.anyDepth, ref.meta?.glob ?? false])).toEqual([
      [true, false],
      [false, false],
      [false, true],
      [true, true],
    ]);
  });

  it('counts env/ as a venv only in a Python .gitignore, and never a bare .env', () => {
    expect(brief(detect('env/\n.env\nENV/\n'))).toEqual([]);
    expect(brief(detect('__pycache__/\nenv/\n.env\nENV/\n.env/\n'))).toEqual([
      { line: 2, text: 'env/', environment: 'env' },
      { line: 4, text: 'ENV/', environment: 'ENV' },
      { line: 5, text: '.env/', environment: '.env' },
    ]);
  });

  it('does not report look-alikes: comments, negations, unrelated names', () => {
    expect(
      detect('# scripts/.venv/\n!scripts/.venv/\nvenv.txt\nvenv.py\nconvenvience.py\n'),
    ).toEqual([]);
  });

  it('sees negations and parent directories when answering whether python/.venv is ignored', () => {
    expect(coverageOf('.venv/\n!python/.venv/\n', '.gitignore', 'python/.venv')).toEqual({
      ignored: false,
      decidedBy: '.gitignore:2 !python/.venv/',
    });
    expect(coverageOf('python/\n!python/.venv/\n', '.gitignore', 'python/.venv')).toEqual({
      ignored: true,
      decidedBy: '.gitignore:2 !python/.venv/',
    });
    expect(
      coverageOf('/python/*\n!/python/pyproject.toml\n', '.gitignore', 'python/.venv'),
    ).toEqual({
      ignored: true,
      decidedBy: '.gitignore:1 /python/*',
    });
    expect(coverageOf('build/\n', '.gitignore', 'python/.venv')).toEqual({ ignored: false });
    expect(coverageOf('.venv/\n', 'replay/.gitignore', 'python/.venv')).toBeUndefined();
  });

  it('answers for several .gitignore files together, the deeper one deciding', () => {
    expect(
      unifiedVenvCoverage(
        [
          { file: 'python/.gitignore', content: '!.venv/\n' },
          { file: '.gitignore', content: '.venv/\n' },
          { file: 'replay/.gitignore', content: 'python/\n' },
        ],
        'python/.venv',
      ),
    ).toEqual({ ignored: false, decidedBy: 'python/.gitignore:1 !.venv/' });
    expect(
      unifiedVenvCoverage(
        [
          { file: '.gitignore', content: 'python/\n' },
          { file: 'python/.gitignore', content: '!.venv/\n' },
        ],
        'python/.venv',
      ),
    ).toEqual({ ignored: true, decidedBy: 'python/.gitignore:1 !.venv/' });
    expect(unifiedVenvCoverage([], 'python/.venv')).toEqual({ ignored: false });
  });

  it('keeps exact spans with CRLF line endings and trailing blanks', () => {
    const text = 'build/\r\nscripts/.venv/  \r\n  \r\n.venv\\ \r\nvenv/';
    const refs = detect(text);
    expect(brief(refs)).toEqual([
      { line: 2, text: 'scripts/.venv/', environment: 'scripts/.venv' },
      { line: 4, text: '.venv\\ ', environment: '.venv ' },
      { line: 5, text: 'venv/', environment: 'venv' },
    ]);
    for (const ref of refs) expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
  });

  it('never throws and keeps spans in bounds on arbitrary input', () => {
    const piece = fc.constantFrom(
      '.venv',
      'venv',
      '/',
      '**',
      '*',
      '!',
      '#',
      ' ',
      '\r',
      '\n',
      'env',
      'python',
      '[a]',
      '\\',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(piece, { maxLength: 30 }).map((p) => p.join('')),
        ),
        (text) => {
          for (const file of ['.gitignore', 'python/.gitignore']) {
            for (const ref of detectGitignoreReferences(text, file, detectContext)?.references ??
              []) {
              expect(ref.span.start).toBeGreaterThanOrEqual(0);
              expect(ref.span.end).toBeLessThanOrEqual(text.length);
              expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('gitignore matching agrees with git check-ignore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'onevenv-gitignore-'));
  execFileSync('git', ['init', '-q', dir]);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const paths: Array<[string, boolean]> = [
    ['python', true],
    ['python/.venv', true],
    ['python/.venv/bin/python', false],
    ['scripts/.venv', true],
    ['scripts/venv', true],
    ['a/b/.venv', true],
    ['.venv', true],
    ['venv', false],
    ['env', true],
    ['python/pyproject.toml', false],
  ];

  for (const [p, isDir] of paths) {
    if (isDir) mkdirSync(path.join(dir, p), { recursive: true });
  }
  for (const [p, isDir] of paths) {
    if (isDir) continue;
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), '');
  }

  function gitIgnored(gitignore: string): string[] {
    writeFileSync(path.join(dir, '.gitignore'), gitignore);
    // Real files and directories: git asks the file system which is which.
    const input = paths.map(([p]) => p).join('\n');
    let out = '';
    try {
      out = execFileSync('git', ['check-ignore', '--no-index', '--stdin'], {
        cwd: dir,
        input,
        encoding: 'utf8',
      });
    } catch (error) {
      // Exit 1: nothing ignored.
      out = (error as { stdout?: string }).stdout ?? '';
    }
    return out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/\/$/, ''));
  }

  function ours(gitignore: string): string[] {
    const files = [parseIgnoreFile(gitignore, '')];
    return paths.filter(([p, isDir]) => isPathIgnored(files, p, isDir)).map(([p]) => p);
  }

  it('on hand-picked venv patterns', () => {
    for (const gitignore of [
      '.venv/\n',
      'python/\n!python/.venv/\n',
      '.venv/\n!python/.venv/\n',
      '**/.venv\n',
      '/.venv\n',
      '*/.venv/\n',
      'python/*\n!python/pyproject.toml\n',
      'venv\n!/venv\n',
      'env/\nENV/\n',
      '.venv/**\n',
      'python/.venv/bin\n',
      '**/venv/**\n',
      '[sp]*/.venv\n',
    ]) {
      expect([gitignore, ours(gitignore)]).toEqual([gitignore, gitIgnored(gitignore)]);
    }
  });

  it('on generated patterns', () => {
    const segment = fc.constantFrom(
      'python',
      '.venv',
      'venv',
      'scripts',
      '*',
      '**',
      '?venv',
      'env',
      'a',
    );
    const pattern = fc
      .tuple(
        fc.boolean(),
        fc.boolean(),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
      )
      .map(
        ([negated, leading, parts, trailing]) =>
          `${negated ? '!' : ''}${leading ? '/' : ''}${parts.join('/')}${trailing ? '/' : ''}`,
      );
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 4 }), (patterns) => {
        const gitignore = `${patterns.join('\n')}\n`;
        expect([gitignore, ours(gitignore)]).toEqual([gitignore, gitIgnored(gitignore)]);
      }),
      { numRuns: 60 },
    );
  });
});
