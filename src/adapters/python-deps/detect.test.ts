import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { DependencyDeclaration, DetectContext, DetectResult } from '../types.js';
import { detectDependencies, fileKind } from './detect.js';
import { adapter } from './index.js';
import { dropLocalImports } from './local-imports.js';
import { poetryToPep440 } from './poetry.js';
import { FALLBACK_STDLIB_MODULES } from './stdlib.js';

const context: DetectContext = { unifiedVenv: 'python/.venv' };

function detect(content: string, file: string, ctx: DetectContext = context): DetectResult | null {
  return adapter.detect(content, file, ctx);
}

function crlf(text: string): string {
  return text.replace(/\n/g, '\r\n');
}

function source(file: string, origin: 'requirements' | 'pyproject' | 'setup.cfg') {
  return {
    file,
    context: path.posix.dirname(file),
    origin,
    unified: false,
    includes: [],
    directInstalls: [],
    options: [],
    groupIncludes: [],
    problems: [],
  };
}

function importOf(
  file: string,
  line: number,
  distribution: string,
  name: string,
  meta: Record<string, string | boolean>,
): DependencyDeclaration {
  return {
    requirement: distribution,
    name,
    specifier: '',
    source: `${file}:${line}`,
    context: path.posix.dirname(file),
    origin: 'import',
    meta,
  };
}

describe('which files the adapter reads', () => {
  test('routes dependency files by name and Python scripts by extension or shebang', () => {
    const files: [string, string][] = [
      ['requirements.txt', ''],
      ['tools/requirements-dev.txt', ''],
      ['dev-requirements.txt', ''],
      ['requirements.in', ''],
      ['test_requirements.in', ''],
      ['requirements/base.txt', ''],
      ['requirements/base.in', ''],
      ['constraints.txt', ''],
      ['replay/pyproject.toml', ''],
      ['setup.cfg', ''],
      ['scripts/index.py', ''],
      ['bin/tool', '#!/usr/bin/env python3'],
      ['bin/run', '#!/bin/sh'],
      ['setup.py', ''],
      ['notes.txt', ''],
      ['requirements.md', ''],
      ['node_modules/x/requirements.txt', ''],
      ['.venv/lib/python3.11/site-packages/yaml/__init__.py', ''],
    ];
    expect(files.map(([file, firstLine]) => [file, fileKind(file, firstLine) ?? null])).toEqual([
      ['requirements.txt', 'requirements'],
      ['tools/requirements-dev.txt', 'requirements'],
      ['dev-requirements.txt', 'requirements'],
      ['requirements.in', 'requirements'],
      ['test_requirements.in', 'requirements'],
      ['requirements/base.txt', 'requirements'],
      ['requirements/base.in', 'requirements'],
      ['constraints.txt', 'constraints'],
      ['replay/pyproject.toml', 'pyproject'],
      ['setup.cfg', 'setup.cfg'],
      ['scripts/index.py', 'python'],
      ['bin/tool', 'python'],
      ['bin/run', null],
      ['setup.py', null],
      ['notes.txt', null],
      ['requirements.md', null],
      ['node_modules/x/requirements.txt', null],
      ['.venv/lib/python3.11/site-packages/yaml/__init__.py', null],
    ]);
    expect(adapter.matches('bin/tool', '#!/usr/bin/env python3')).toBe(true);
    expect(adapter.matches('notes.txt', '')).toBe(false);
  });

  test('a file reached only through an include is read as a requirements file', () => {
    expect(detect('six==1.16.0\n', 'base.in')?.dependencies).toEqual([
      {
        requirement: 'six==1.16.0',
        name: 'six',
        specifier: '==1.16.0',
        source: 'base.in:1',
        context: '.',
        origin: 'requirements',
      },
    ]);
  });
});

describe('requirements files', () => {
  const file = 'tools/requirements-dev.txt';
  const text = [
    '# Tools for development',
    '-r requirements.txt',
    '--constraint ../constraints/ci.txt',
    '--index-url https://deploy:s3cr3t@pypi.example.com/simple',
    '--extra-index-url=https://ghp_TOKEN123@pkgs.example.com/simple',
    '-f ./wheels',
    '--no-index',
    '-e .',
    '-e ../libs/common[test]',
    '-e git+https://github.com/org/tool.git@v1.2#egg=tool',
    'requests[socks]>=2.31,<3 ; python_version >= "3.10"  # http client',
    'fastapi==0.110.0 \\',
    '    --hash=sha256:aaa \\',
    '    --hash=sha256:bbb',
    './vendor/thing-1.0-py3-none-any.whl',
    'private @ https://user:hunter2@example.com/private-1.0.tar.gz',
    'pinned==${PINNED_VERSION}',
    'torch @ https://${TOKEN}@download.example/torch.whl',
    'uvicorn[standard] >= 0.29',
    'not a requirement!',
    '--frobnicate',
    '',
  ].join('\n');

  const expected: DetectResult = {
    references: [],
    dependencies: [
      {
        requirement: 'tool @ git+https://github.com/org/tool.git@v1.2#egg=tool',
        name: 'tool',
        specifier: '',
        source: `${file}:10`,
        context: 'tools',
        origin: 'requirements',
        meta: { url: 'git+https://github.com/org/tool.git@v1.2#egg=tool', editable: true },
      },
      {
        requirement: 'requests[socks]>=2.31,<3 ; python_version >= "3.10"',
        name: 'requests',
        specifier: '>=2.31,<3',
        source: `${file}:11`,
        context: 'tools',
        origin: 'requirements',
        meta: { extras: ['socks'], marker: 'python_version >= "3.10"' },
      },
      {
        requirement: 'fastapi==0.110.0',
        name: 'fastapi',
        specifier: '==0.110.0',
        source: `${file}:12`,
        context: 'tools',
        origin: 'requirements',
        meta: { hashes: ['sha256:aaa', 'sha256:bbb'] },
      },
      {
        requirement: 'private @ https://user:****@example.com/private-1.0.tar.gz',
        name: 'private',
        specifier: '',
        source: `${file}:16`,
        context: 'tools',
        origin: 'requirements',
        meta: { url: 'https://user:****@example.com/private-1.0.tar.gz', redacted: true },
      },
      {
        requirement: 'pinned==${PINNED_VERSION}',
        name: 'pinned',
        specifier: '==${PINNED_VERSION}',
        source: `${file}:17`,
        context: 'tools',
        origin: 'requirements',
        meta: { containsVariable: true },
      },
      {
        requirement: 'torch @ https://${TOKEN}@download.example/torch.whl',
        name: 'torch',
        specifier: '',
        source: `${file}:18`,
        context: 'tools',
        origin: 'requirements',
        meta: { url: 'https://${TOKEN}@download.example/torch.whl', containsVariable: true },
      },
      {
        requirement: 'uvicorn[standard] >= 0.29',
        name: 'uvicorn',
        specifier: '>=0.29',
        source: `${file}:19`,
        context: 'tools',
        origin: 'requirements',
        meta: { extras: ['standard'] },
      },
    ],
    dependencySource: {
      ...source(file, 'requirements'),
      includes: [
        {
          kind: 'requirements',
          path: 'tools/requirements.txt',
          written: 'requirements.txt',
          local: true,
          line: 2,
        },
        {
          kind: 'constraints',
          path: 'constraints/ci.txt',
          written: '../constraints/ci.txt',
          local: true,
          line: 3,
        },
      ],
      directInstalls: [
        { written: '.', paths: ['tools', '.'], editable: true, line: 8 },
        {
          written: '../libs/common[test]',
          paths: ['libs/common', '../libs/common'],
          editable: true,
          line: 9,
        },
        {
          written: './vendor/thing-1.0-py3-none-any.whl',
          paths: ['tools/vendor/thing-1.0-py3-none-any.whl', 'vendor/thing-1.0-py3-none-any.whl'],
          editable: false,
          line: 15,
        },
      ],
      options: [
        {
          option: '--index-url',
          value: 'https://deploy:****@pypi.example.com/simple',
          line: 4,
        },
        { option: '--extra-index-url', value: 'https://****@pkgs.example.com/simple', line: 5 },
        { option: '--find-links', value: './wheels', line: 6 },
        { option: '--no-index', value: '', line: 7 },
      ],
      problems: [
        {
          source: `${file}:20`,
          line: 20,
          message: "invalid version specifier 'a requirement!' in 'not a requirement!'",
        },
        {
          source: `${file}:21`,
          line: 21,
          message: "unknown option '--frobnicate' in '--frobnicate'",
        },
      ],
    },
  };

  test('requirements, includes, editables, options, hashes, markers and bad lines', () => {
    expect(detect(text, file)).toEqual(expected);
  });

  test('CRLF line endings give the same result', () => {
    expect(detect(crlf(text), file)).toEqual(expected);
  });

  test('credentials never leave the file', () => {
    const json = JSON.stringify(detect(text, file));
    for (const secret of ['s3cr3t', 'ghp_TOKEN123', 'hunter2']) expect(json).not.toContain(secret);
    const bad = detect('--index-url https://me:topsecret@host/simple extra\n', file);
    expect(JSON.stringify(bad)).not.toContain('topsecret');
  });

  test('empty and comment-only files declare nothing', () => {
    expect(detect('', 'requirements.txt')).toBeNull();
    expect(detect('# nothing yet\n\n   \n#-r other.txt\n', 'requirements.txt')).toBeNull();
  });

  test('a comment ends a continuation; a trailing backslash at the end of the file is dropped', () => {
    const result = detect('alpha \\\n# beta\ngamma>=1 \\', 'requirements.txt');
    expect(result?.dependencies?.map((d) => [d.requirement, d.source])).toEqual([
      ['alpha', 'requirements.txt:1'],
      ['gamma>=1', 'requirements.txt:3'],
    ]);
  });

  test('pip keeps `#` without whitespace before it: a URL fragment is not a comment', () => {
    const result = detect('pkg @ https://example.com/pkg.zip#sha256=abc\n', 'requirements.txt');
    expect(result?.dependencies?.[0]?.meta).toEqual({
      url: 'https://example.com/pkg.zip#sha256=abc',
    });
  });

  test('a constraints file only constrains', () => {
    expect(detect('alpha<2\n', 'constraints.txt')?.dependencies).toEqual([
      {
        requirement: 'alpha<2',
        name: 'alpha',
        specifier: '<2',
        source: 'constraints.txt:1',
        context: '.',
        origin: 'requirements',
        meta: { constraint: true },
      },
    ]);
  });

  test('files in requirements/ belong to the project above; python/ files are the unified home', () => {
    const nested = detect('alpha\n', 'service/requirements/base.txt');
    expect(nested?.dependencies?.[0]?.context).toBe('service');
    expect(nested?.dependencySource?.context).toBe('service');
    const home = detect('alpha==1.0.0\n', 'python/requirements.txt');
    expect(home?.dependencySource?.unified).toBe(true);
    expect(home?.dependencies?.[0]?.context).toBe('python');
  });

  test('options that need a value, take none, or name the package through a variable', () => {
    const result = detect('-r\n--pre=yes\n${PKG}==1\n-e\n', 'requirements.txt');
    expect(result?.dependencySource?.problems).toEqual([
      { source: 'requirements.txt:1', line: 1, message: "option '-r' needs a value in '-r'" },
      {
        source: 'requirements.txt:2',
        line: 2,
        message: "option '--pre' takes no value in '--pre=yes'",
      },
      {
        source: 'requirements.txt:3',
        line: 3,
        message: "'${PKG}==1' names its package through a variable",
      },
      { source: 'requirements.txt:4', line: 4, message: "option '-e' needs a value in '-e'" },
    ]);
  });
});
