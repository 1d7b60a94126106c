import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { detectContext } from '../../../test/helpers/adapter.js';
import type { DependencyDeclaration, DetectContext, DetectResult } from '../types.js';
import { type DependencyFileKind, detectImports, fileKind } from './detect.js';
import { distributionFor } from './import-names.js';
import { adapter } from './index.js';
import { dropLocalImports } from './local-imports.js';
import { poetryToPep440 } from './poetry.js';
import { detectPyproject } from './pyproject.js';
import { redactCredentials } from './redact.js';
import { detectRequirements } from './requirements.js';
import { detectScriptMetadata } from './script-metadata.js';
import { detectSetupCfg } from './setup-cfg.js';
import { FALLBACK_STDLIB_MODULES } from './stdlib.js';

function detect(
  content: string,
  file: string,
  ctx: DetectContext = detectContext,
): DetectResult | null {
  return adapter.detect(content, file, ctx);
}

function detectUnguarded(
  text: string,
  file: string,
  kind: DependencyFileKind,
): DetectResult | null {
  if (kind === 'pyproject') return detectPyproject(text, file, detectContext);
  if (kind === 'setup.cfg') return detectSetupCfg(text, file, detectContext);
  if (kind === 'python') {
    const metadata = detectScriptMetadata(text, file, detectContext);
    const imports = detectImports(text, file, detectContext);
    if (!metadata) return imports;
    const dependencies = [...(metadata.dependencies ?? []), ...(imports?.dependencies ?? [])];
    return { ...metadata, dependencies };
  }
  return detectRequirements(text, file, detectContext, { constraints: kind === 'constraints' });
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
    `pinned==\${PINNED_VERSION}`,
    `torch @ https://\${TOKEN}@download.example/torch.whl`,
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
        requirement: `pinned==\${PINNED_VERSION}`,
        name: 'pinned',
        specifier: `==\${PINNED_VERSION}`,
        source: `${file}:17`,
        context: 'tools',
        origin: 'requirements',
        meta: { containsVariable: true },
      },
      {
        requirement: `torch @ https://\${TOKEN}@download.example/torch.whl`,
        name: 'torch',
        specifier: '',
        source: `${file}:18`,
        context: 'tools',
        origin: 'requirements',
        meta: { url: `https://\${TOKEN}@download.example/torch.whl`, containsVariable: true },
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
    const toml = '[project]\nrequires-python = "https://me:topsecret@host"\n';
    expect(detect(toml, 'pyproject.toml')?.dependencySource?.problems).toEqual([
      {
        source: 'pyproject.toml:2',
        line: 2,
        message: "requires-python 'https://me:****@host' is not a PEP 440 version specifier",
      },
    ]);
  });

  test.each([
    ['https://user:pw@host/simple', 'https://user:****@host/simple'],
    ['https://token@host/simple', 'https://****@host/simple'],
    ['git+ssh://git@github.com/org/x.git', 'git+ssh://git@github.com/org/x.git'],
    [`https://\${USER}:\${PASSWORD}@host/`, `https://\${USER}:\${PASSWORD}@host/`],
    [`https://\${TOKEN}@host/`, `https://\${TOKEN}@host/`],
    ['git+https://github.com/org/x.git@v1.0', 'git+https://github.com/org/x.git@v1.0'],
    ['a https://u:p@h/ b http://k@i/ c', 'a https://u:****@h/ b http://****@i/ c'],
    ['pkg @ file:///tmp/x.whl', 'pkg @ file:///tmp/x.whl'],
  ])('redacts %s as %s', (written, shown) => {
    expect(redactCredentials(written)).toBe(shown);
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
    const result = detect(`-r\n--pre=yes\n\${PKG}==1\n-e\n`, 'requirements.txt');
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
        message: `'\${PKG}==1' names its package through a variable`,
      },
      { source: 'requirements.txt:4', line: 4, message: "option '-e' needs a value in '-e'" },
    ]);
  });
});

const here = path.dirname(fileURLToPath(import.meta.url));
const seedRoot = path.resolve(here, '../../../test/fixtures/seed-before');

describe('pyproject.toml', () => {
  test('the seed repository’s replay package: [project], optional-dependencies, requires-python', () => {
    const text = readFileSync(path.join(seedRoot, 'replay/pyproject.toml'), 'utf8');
    const file = 'replay/pyproject.toml';
    const declared = (line: number, requirement: string, name: string, specifier: string) => ({
      requirement,
      name,
      specifier,
      source: `${file}:${line}`,
      context: 'replay',
      origin: 'pyproject' as const,
    });
    expect(detect(text, file)).toEqual({
      references: [],
      dependencies: [
        declared(11, 'fastapi>=0.110', 'fastapi', '>=0.110'),
        {
          ...declared(12, 'uvicorn[standard]>=0.29', 'uvicorn', '>=0.29'),
          meta: { extras: ['standard'] },
        },
        declared(13, 'pydantic>=2.6', 'pydantic', '>=2.6'),
        { ...declared(18, 'httpx>=0.27', 'httpx', '>=0.27'), meta: { extra: 'test' } },
        { ...declared(19, 'pytest>=8', 'pytest', '>=8'), meta: { extra: 'test' } },
      ],
      dependencySource: {
        ...source(file, 'pyproject'),
        package: { name: 'replay', line: 6, buildBackend: 'setuptools.build_meta' },
        requiresPython: { specifier: '>=3.10', line: 9 },
      },
    });
  });

  const groups = [
    '# dependencies = ["decoy-in-a-comment>=1"]',
    '[tool.other]',
    'dependencies = ["decoy-in-another-table>=1"]',
    '',
    '[project]',
    'name = "tools"',
    "dependencies = ['rich', \"click>=8 ; python_version >= '3.10'\"]",
    '',
    '[dependency-groups]',
    'lint = ["ruff==0.6.0"]',
    'test = [',
    '  "pytest>=8",',
    '  # "commented-out",',
    '  {include-group = "lint"},',
    ']',
    'ci = [{include-group = "Test"}, {include-group = "missing"}]',
    '',
  ].join('\n');

  test('[dependency-groups]: one declaration per string, include-group as data, unknown groups reported', () => {
    const file = 'tools/pyproject.toml';
    const at = (line: number) => `${file}:${line}`;
    expect(detect(groups, file)).toEqual({
      references: [],
      dependencies: [
        {
          requirement: 'rich',
          name: 'rich',
          specifier: '',
          source: at(7),
          context: 'tools',
          origin: 'pyproject',
        },
        {
          requirement: "click>=8 ; python_version >= '3.10'",
          name: 'click',
          specifier: '>=8',
          source: at(7),
          context: 'tools',
          origin: 'pyproject',
          meta: { marker: "python_version >= '3.10'" },
        },
        {
          requirement: 'ruff==0.6.0',
          name: 'ruff',
          specifier: '==0.6.0',
          source: at(10),
          context: 'tools',
          origin: 'pyproject',
          meta: { group: 'lint' },
        },
        {
          requirement: 'pytest>=8',
          name: 'pytest',
          specifier: '>=8',
          source: at(12),
          context: 'tools',
          origin: 'pyproject',
          meta: { group: 'test' },
        },
      ],
      dependencySource: {
        ...source(file, 'pyproject'),
        package: { name: 'tools', line: 6 },
        groupIncludes: [
          { group: 'test', include: 'lint', line: 14 },
          { group: 'ci', include: 'test', line: 16 },
        ],
        problems: [
          {
            source: at(16),
            line: 16,
            message: "dependency-groups.ci includes 'missing', which is no group",
          },
        ],
      },
    });
  });

  test('CRLF line endings give the same lines', () => {
    const lf = detect(groups, 'pyproject.toml');
    expect(detect(crlf(groups), 'pyproject.toml')).toEqual(lf);
  });

  test('groups that include each other are reported, not followed forever', () => {
    const text = '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}]\n';
    expect(detect(text, 'pyproject.toml')?.dependencySource?.problems).toEqual([
      {
        source: 'pyproject.toml:3',
        line: 3,
        message: 'dependency-groups include each other: a -> b -> a',
      },
    ]);
  });

  test('Poetry tables: constraints converted to PEP 440, python is requires-python', () => {
    const text = [
      '[tool.poetry]',
      'name = "legacy"',
      '',
      '[tool.poetry.dependencies]',
      'python = "^3.10"',
      'fastapi = "^0.110.1"',
      'pydantic = { version = "~2.6", extras = ["email"] }',
      'requests = "*"',
      'tomli = { version = ">=1.1", python = "<3.11" }',
      'internal = { path = "../internal", develop = true }',
      'tool = { git = "https://github.com/org/tool.git", tag = "v1" }',
      'weird = "^1 || ^2"',
      '',
      '[tool.poetry.group.test.dependencies]',
      'pytest = "8.1.*"',
      '"pytest-cov" = "4.1.0"',
      '',
    ].join('\n');
    const file = 'legacy/pyproject.toml';
    const base = { context: 'legacy', origin: 'pyproject' as const };
    expect(detect(text, file)).toEqual({
      references: [],
      dependencies: [
        {
          ...base,
          requirement: 'fastapi>=0.110.1,<0.111',
          name: 'fastapi',
          specifier: '>=0.110.1,<0.111',
          source: `${file}:6`,
          meta: { poetry: '^0.110.1' },
        },
        {
          ...base,
          requirement: 'pydantic[email]>=2.6,<2.7',
          name: 'pydantic',
          specifier: '>=2.6,<2.7',
          source: `${file}:7`,
          meta: { poetry: '~2.6', extras: ['email'] },
        },
        { ...base, requirement: 'requests', name: 'requests', specifier: '', source: `${file}:8` },
        {
          ...base,
          requirement: 'tomli>=1.1; python_version < "3.11"',
          name: 'tomli',
          specifier: '>=1.1',
          source: `${file}:9`,
          meta: { poetry: '>=1.1', marker: 'python_version < "3.11"' },
        },
        {
          ...base,
          requirement: 'tool @ git+https://github.com/org/tool.git@v1',
          name: 'tool',
          specifier: '',
          source: `${file}:11`,
          meta: { url: 'git+https://github.com/org/tool.git@v1' },
        },
        {
          ...base,
          requirement: 'weird',
          name: 'weird',
          specifier: '',
          source: `${file}:12`,
          meta: { poetry: '^1 || ^2', unconverted: true },
        },
        {
          ...base,
          requirement: 'pytest==8.1.*',
          name: 'pytest',
          specifier: '==8.1.*',
          source: `${file}:15`,
          meta: { poetry: '8.1.*', group: 'test' },
        },
        {
          ...base,
          requirement: 'pytest-cov==4.1.0',
          name: 'pytest-cov',
          specifier: '==4.1.0',
          source: `${file}:16`,
          meta: { poetry: '4.1.0', group: 'test' },
        },
      ],
      dependencySource: {
        ...source(file, 'pyproject'),
        package: { name: 'legacy', line: 2 },
        requiresPython: { specifier: '>=3.10,<4', line: 5 },
        directInstalls: [{ written: '../internal', paths: ['internal'], editable: true, line: 10 }],
        problems: [
          {
            source: `${file}:12`,
            line: 12,
            message: "weird = '^1 || ^2': '^1 || ^2' allows either of two ranges; PEP 440 cannot",
          },
        ],
      },
    });
  });

  test.each([
    ['^1.2.3', '>=1.2.3,<2'],
    ['^1.2', '>=1.2,<2'],
    ['^1', '>=1,<2'],
    ['^0.2.3', '>=0.2.3,<0.3'],
    ['^0.0.3', '>=0.0.3,<0.0.4'],
    ['^0.0', '>=0.0,<0.1'],
    ['^0', '>=0,<1'],
    ['^2.0.0rc1', '>=2.0.0rc1,<3'],
    ['~1.2.3', '>=1.2.3,<1.3'],
    ['~1.2', '>=1.2,<1.3'],
    ['~1', '>=1,<2'],
    ['~=1.2', '~=1.2'],
    ['1.2.*', '==1.2.*'],
    ['*', ''],
    ['1.2.3', '==1.2.3'],
    ['=1.2.3', '==1.2.3'],
    ['>= 1.2, < 1.5', '>=1.2,<1.5'],
    ['>=1.2 <1.5', '>=1.2,<1.5'],
    ['!=1.3', '!=1.3'],
  ])('Poetry %s is PEP 440 %s', (poetry, pep440) => {
    expect(poetryToPep440(poetry)).toEqual({ ok: true, specifier: pep440 });
  });

  test.each([['^1 || ^2'], ['^x'], ['latest']])('Poetry %s has no PEP 440 form', (poetry) => {
    expect(poetryToPep440(poetry).ok).toBe(false);
  });

  test('malformed TOML is one problem at its line, never an exception', () => {
    const text = '[project]\nname = "x"\ndependencies = ["a",\n[broken\n';
    expect(detect(text, 'pyproject.toml')).toEqual({
      references: [],
      dependencies: [],
      dependencySource: {
        ...source('pyproject.toml', 'pyproject'),
        context: '.',
        problems: [expect.objectContaining({ source: 'pyproject.toml:4', line: 4 })],
      },
    });
    expect(detect('', 'pyproject.toml')).toBeNull();
    expect(detect('[tool.black]\nline-length = 100\n', 'pyproject.toml')).toBeNull();
  });

  test('invalid requirement strings and requires-python are problems with their lines', () => {
    const text =
      '[project]\nrequires-python = "3.10+"\ndependencies = [\n  "ok",\n  "not ok!",\n]\n';
    const result = detect(text, 'pyproject.toml');
    expect(result?.dependencies?.map((d) => d.source)).toEqual(['pyproject.toml:4']);
    expect(result?.dependencySource?.problems).toEqual([
      {
        source: 'pyproject.toml:2',
        line: 2,
        message: "requires-python '3.10+' is not a PEP 440 version specifier",
      },
      {
        source: 'pyproject.toml:5',
        line: 5,
        message: "invalid version specifier 'ok!' in 'not ok!'",
      },
    ]);
  });

  test('onevenv’s own python/pyproject.toml is reported as the unified home, groups included', () => {
    const text = [
      '[project]',
      'name = "repo-python-env"',
      'version = "0"',
      'requires-python = ">=3.10"',
      'dependencies = []',
      '',
      '[dependency-groups]',
      'mcp = ["fastmcp>=2"]',
      '',
      '[tool.onevenv]',
      'editable = ["../replay"]',
      '',
    ].join('\n');
    expect(detect(text, 'python/pyproject.toml')).toEqual({
      references: [],
      dependencies: [
        {
          requirement: 'fastmcp>=2',
          name: 'fastmcp',
          specifier: '>=2',
          source: 'python/pyproject.toml:8',
          context: 'python',
          origin: 'pyproject',
          meta: { group: 'mcp' },
        },
      ],
      dependencySource: {
        ...source('python/pyproject.toml', 'pyproject'),
        unified: true,
        package: { name: 'repo-python-env', line: 2 },
        requiresPython: { specifier: '>=3.10', line: 4 },
      },
    });
  });

  test('setuptools dynamic dependencies read from files are includes', () => {
    const text = [
      '[project]',
      'name = "svc"',
      'dynamic = ["dependencies"]',
      '[tool.setuptools.dynamic]',
      'dependencies = { file = ["requirements.in"] }',
      '',
    ].join('\n');
    expect(detect(text, 'svc/pyproject.toml')?.dependencySource?.includes).toEqual([
      {
        kind: 'requirements',
        path: 'svc/requirements.in',
        written: 'requirements.in',
        local: true,
        line: 5,
      },
    ]);
  });

  test('uv sources mark the repository’s own packages; uv and PDM dev groups are groups', () => {
    const text = [
      '[project]',
      'name = "app"',
      'dependencies = ["replay", "common", "fastapi"]',
      '',
      '[tool.uv]',
      'dev-dependencies = ["pytest"]',
      '',
      '[tool.uv.sources]',
      'replay = { path = "../replay", editable = true }',
      'common = { workspace = true }',
      '',
      '[tool.pdm.dev-dependencies]',
      'lint = ["ruff"]',
      '',
    ].join('\n');
    const result = detect(text, 'app/pyproject.toml');
    expect(result?.dependencies?.map((d) => [d.name, d.source, d.meta ?? {}])).toEqual([
      ['replay', 'app/pyproject.toml:3', { localSource: true }],
      ['common', 'app/pyproject.toml:3', { localSource: true }],
      ['fastapi', 'app/pyproject.toml:3', {}],
      ['pytest', 'app/pyproject.toml:6', { group: 'dev' }],
      ['ruff', 'app/pyproject.toml:13', { group: 'lint' }],
    ]);
    expect(result?.dependencySource?.directInstalls).toEqual([
      { written: '../replay', paths: ['replay'], editable: true, line: 9 },
    ]);
  });

  test('tool settings that name an environment are references with exact spans', () => {
    const text = [
      '[tool.pyright]',
      'venvPath = "."',
      'venv = ".venv"',
      '',
      '[tool.mypy]',
      'python_executable = "../python/.venv/bin/python"',
      '',
    ].join('\n');
    const file = 'tools/pyproject.toml';
    const result = detect(text, file);
    expect(result?.references).toEqual([
      {
        file,
        line: 3,
        column: 9,
        span: { start: 38, end: 43 },
        text: '.venv',
        kind: 'interpreter-path',
        adapter: 'python-deps',
        consumer: `pyright settings ${file}`,
        environment: 'tools/.venv',
        skipReason: 'unsupported',
      },
      {
        file,
        line: 6,
        column: 22,
        span: { start: 79, end: 105 },
        text: '../python/.venv/bin/python',
        kind: 'interpreter-path',
        adapter: 'python-deps',
        consumer: `mypy settings ${file}`,
        environment: 'python/.venv',
        skipReason: 'unsupported',
      },
    ]);
    for (const reference of result?.references ?? []) {
      expect(text.slice(reference.span.start, reference.span.end)).toBe(reference.text);
    }
    const variable = detect(`[tool.mypy]\npython_executable = "\${VENV}/bin/python"\n`, file);
    expect(variable?.references?.map((r) => [r.environment, r.skipReason])).toEqual([
      ['unknown', 'contains-variable'],
    ]);
    const system = detect('[tool.mypy]\npython_executable = "/usr/bin/python3"\n', file);
    expect(system?.references?.map((r) => [r.environment, r.skipReason])).toEqual([
      ['system interpreter', 'external-interpreter'],
    ]);
  });
});

describe('setup.cfg', () => {
  const text = [
    '[metadata]',
    'name = legacy-tool',
    '',
    '[options]',
    'python_requires = >=3.9',
    'install_requires =',
    '    requests>=2',
    '    # a comment inside the value',
    '    pyyaml ; python_version >= "3.9"  # why',
    '',
    '    click',
    'packages = find:',
    '',
    '[options.extras_require]',
    'test = pytest>=7, coverage',
    'docs =',
    '  sphinx',
    '',
    '[flake8]',
    'max-line-length: 100',
    '',
  ].join('\n');
  const file = 'legacy/setup.cfg';
  const base = { context: 'legacy', origin: 'setup.cfg' as const };
  const expected: DetectResult = {
    references: [],
    dependencies: [
      {
        ...base,
        requirement: 'requests>=2',
        name: 'requests',
        specifier: '>=2',
        source: `${file}:7`,
      },
      {
        ...base,
        requirement: 'pyyaml ; python_version >= "3.9"',
        name: 'pyyaml',
        specifier: '',
        source: `${file}:9`,
        meta: { marker: 'python_version >= "3.9"' },
      },
      { ...base, requirement: 'click', name: 'click', specifier: '', source: `${file}:11` },
      {
        ...base,
        requirement: 'pytest>=7',
        name: 'pytest',
        specifier: '>=7',
        source: `${file}:15`,
        meta: { extra: 'test' },
      },
      {
        ...base,
        requirement: 'coverage',
        name: 'coverage',
        specifier: '',
        source: `${file}:15`,
        meta: { extra: 'test' },
      },
      {
        ...base,
        requirement: 'sphinx',
        name: 'sphinx',
        specifier: '',
        source: `${file}:17`,
        meta: { extra: 'docs' },
      },
    ],
    dependencySource: {
      ...source(file, 'setup.cfg'),
      package: { name: 'legacy-tool', line: 2 },
      requiresPython: { specifier: '>=3.9', line: 5 },
    },
  };

  test('install_requires, extras_require and python_requires with continuation lines', () => {
    expect(detect(text, file)).toEqual(expected);
  });

  test('CRLF line endings give the same result', () => {
    expect(detect(crlf(text), file)).toEqual(expected);
  });

  test('file: lists are includes; malformed lines are problems; empty files declare nothing', () => {
    const result = detect(
      'stray = before any section\n[options]\ninstall_requires = file: requirements.txt, extra.txt\nnot an option\n',
      'svc/setup.cfg',
    );
    expect(result?.dependencySource).toEqual({
      ...source('svc/setup.cfg', 'setup.cfg'),
      includes: [
        {
          kind: 'requirements',
          path: 'svc/requirements.txt',
          written: 'requirements.txt',
          local: true,
          line: 3,
        },
        { kind: 'requirements', path: 'svc/extra.txt', written: 'extra.txt', local: true, line: 3 },
      ],
      problems: [
        { source: 'svc/setup.cfg:1', line: 1, message: "'stray' comes before any [section]" },
        {
          source: 'svc/setup.cfg:4',
          line: 4,
          message: "'not an option' is neither a [section], a key = value nor a continuation",
        },
      ],
    });
    expect(detect('', 'setup.cfg')).toBeNull();
    expect(detect('[flake8]\nmax-line-length = 100\n', 'setup.cfg')).toBeNull();
  });

  test('[mypy] python_executable is an environment reference', () => {
    const cfg = '[mypy]\npython_executable = scripts/.venv/bin/python3\n';
    expect(detect(cfg, 'setup.cfg')?.references).toEqual([
      {
        file: 'setup.cfg',
        line: 2,
        column: 21,
        span: { start: 27, end: 52 },
        text: 'scripts/.venv/bin/python3',
        kind: 'interpreter-path',
        adapter: 'python-deps',
        consumer: 'mypy settings setup.cfg',
        environment: 'scripts/.venv',
        skipReason: 'unsupported',
      },
    ]);
  });
});

describe('third-party imports of Python files', () => {
  const script = [
    '#!/usr/bin/env python3',
    '"""Module docstring.',
    '',
    'import docstring_decoy',
    'from docstring_decoy2 import x',
    '"""',
    'from __future__ import annotations',
    '',
    'import os, sys',
    'import numpy as np, yaml',
    'from . import sibling',
    'from .pkg import thing',
    'from .. import parent',
    'import xml.etree.ElementTree as ET',
    '# import comment_decoy',
    'text = "import string_decoy"',
    "raw = r'from raw_decoy import x'",
    'data = b"import bytes_decoy"',
    'message = f"{\'import fstring_decoy\'} {value!r:>{width}}"',
    'nested = f"{x["import nested_decoy"]}"',
    "multi = '''",
    'import triple_decoy',
    "'''",
    'call(',
    '    "import in_call_decoy",',
    ')',
    'try:',
    '    import ujson as json',
    'except ImportError:',
    '    import simplejson as json',
    'try:',
    '    import orjson',
    'except (KeyError, ValueError):',
    '    pass',
    'if TYPE: import attr; import jwt',
    'from google.protobuf import message',
    'from google import protobuf',
    'from PIL import Image',
    'from tree_sitter import Language',
    'import tree_sitter_cpp',
    'def main():',
    '    from dateutil import parser',
    '    return parser \\',
    '        .parse("x")',
    'import yaml',
    'obj.import_thing = 1',
    'pass  # note; import comment_decoy',
    'value = f"{d["; import fstring_decoy2"]}"',
    "lit = rf'{x}\\'; import raw_decoy2'",
    '',
  ].join('\n');
  const file = 'scripts/tool.py';
  const expected: DetectResult = {
    references: [],
    dependencies: [
      importOf(file, 10, 'numpy', 'numpy', { module: 'numpy' }),
      importOf(file, 10, 'PyYAML', 'pyyaml', { module: 'yaml' }),
      importOf(file, 28, 'ujson', 'ujson', { module: 'ujson', optional: true }),
      importOf(file, 30, 'simplejson', 'simplejson', { module: 'simplejson', optional: true }),
      importOf(file, 32, 'orjson', 'orjson', { module: 'orjson' }),
      importOf(file, 35, 'attrs', 'attrs', { module: 'attr' }),
      importOf(file, 35, 'PyJWT', 'pyjwt', { module: 'jwt' }),
      importOf(file, 36, 'protobuf', 'protobuf', { module: 'google.protobuf' }),
      importOf(file, 38, 'Pillow', 'pillow', { module: 'PIL' }),
      importOf(file, 39, 'tree-sitter', 'tree-sitter', { module: 'tree_sitter' }),
      importOf(file, 40, 'tree-sitter-cpp', 'tree-sitter-cpp', { module: 'tree_sitter_cpp' }),
      importOf(file, 42, 'python-dateutil', 'python-dateutil', { module: 'dateutil' }),
    ],
  };

  test('absolute imports only, never inside strings, docstrings or comments', () => {
    expect(detect(script, file)).toEqual(expected);
  });

  test('CRLF line endings give the same result', () => {
    expect(detect(crlf(script), file)).toEqual(expected);
  });

  test.each([
    ['yaml', 'PyYAML', 'yaml'],
    ['cv2', 'opencv-python', 'cv2'],
    ['PIL.Image', 'Pillow', 'PIL'],
    ['sklearn.linear_model', 'scikit-learn', 'sklearn'],
    ['bs4', 'beautifulsoup4', 'bs4'],
    ['tree_sitter', 'tree-sitter', 'tree_sitter'],
    ['tree_sitter_cpp', 'tree-sitter-cpp', 'tree_sitter_cpp'],
    ['fastmcp', 'fastmcp', 'fastmcp'],
    ['mcp.server.fastmcp', 'mcp', 'mcp'],
    ['dateutil.parser', 'python-dateutil', 'dateutil'],
    ['google.protobuf.message', 'protobuf', 'google.protobuf'],
    ['attr', 'attrs', 'attr'],
    ['jwt', 'PyJWT', 'jwt'],
    ['dotenv', 'python-dotenv', 'dotenv'],
    ['serial', 'pyserial', 'serial'],
    ['usb.core', 'pyusb', 'usb'],
    ['Crypto.Cipher', 'pycryptodome', 'Crypto'],
    ['OpenSSL', 'pyOpenSSL', 'OpenSSL'],
    ['magic', 'python-magic', 'magic'],
    ['multipart', 'python-multipart', 'multipart'],
    ['pydantic_settings', 'pydantic-settings', 'pydantic_settings'],
    ['httpx', 'httpx', 'httpx'],
    ['some_new_lib.sub', 'some-new-lib', 'some_new_lib'],
  ])('import %s comes from %s (checked by importing %s)', (importPath, distribution, module) => {
    expect(distributionFor(importPath)).toEqual({ distribution, module });
  });

  test('a file with no third-party imports declares nothing', () => {
    expect(detect('', file)).toBeNull();
    expect(detect('import os\nfrom pathlib import Path\nfrom . import x\n', file)).toBeNull();
  });

  test('the interpreter’s own standard-library list wins over the built-in one', () => {
    const text = 'import tomllib\nimport os\n';
    expect(detect(text, file)).toBeNull();
    const old = detect(text, file, { ...detectContext, stdlibModules: new Set(['os']) });
    expect(old?.dependencies).toEqual([
      importOf(file, 1, 'tomllib', 'tomllib', { module: 'tomllib' }),
    ]);
  });

  test('an import guarded in one place and required in another is required', () => {
    const text =
      'try:\n    import rich\nexcept ModuleNotFoundError:\n    rich = None\nimport rich\n';
    expect(detect(text, file)?.dependencies).toEqual([
      importOf(file, 2, 'rich', 'rich', { module: 'rich' }),
    ]);
  });

  test('nested try blocks, one-line handlers and a later unrelated try', () => {
    const text = [
      'try:',
      '    try:',
      '        import inner_a',
      '    except KeyError:',
      '        import inner_b',
      'except:',
      '    pass',
      'try: import one_line',
      'except ImportError: import one_line_fallback',
      'import after_all',
      'try:',
      '    x = 1',
      'finally:',
      '    import in_finally',
      '',
    ].join('\n');
    expect(
      detect(text, file)?.dependencies?.map((d) => [d.requirement, d.meta?.optional ?? false]),
    ).toEqual([
      ['inner-a', true],
      ['inner-b', true],
      ['one-line', true],
      ['one-line-fallback', true],
      ['after-all', false],
      ['in-finally', false],
    ]);
  });

  test('malformed Python: unterminated strings and brackets end where an import line starts', () => {
    const text =
      'print("unterminated\nimport requests\nx = (1,\nimport httpx\ny = f"{oops\nimport rich\n';
    expect(detect(text, file)?.dependencies?.map((d) => [d.requirement, d.source])).toEqual([
      ['requests', `${file}:2`],
      ['httpx', `${file}:4`],
      ['rich', `${file}:6`],
    ]);
    expect(detect('"""\nimport hidden_in_unclosed_docstring\n', file)).toBeNull();
  });

  test('an extensionless script with a python shebang is read', () => {
    expect(detect('#!/usr/bin/env python3\nimport fastmcp\n', 'bin/serve')?.dependencies).toEqual([
      {
        requirement: 'fastmcp',
        name: 'fastmcp',
        specifier: '',
        source: 'bin/serve:2',
        context: 'bin',
        origin: 'import',
        meta: { module: 'fastmcp' },
      },
    ]);
  });

  test('PEP 723 inline script metadata is the script’s own declaration', () => {
    const text = [
      '#!/usr/bin/env -S uv run --script',
      '# /// script',
      '# requires-python = ">=3.11"',
      '# dependencies = [',
      '#   "httpx>=0.27",',
      '#   "rich",',
      '# ]',
      '# ///',
      'import httpx',
      '',
    ].join('\n');
    const file = 'tools/fetch';
    expect(fileKind(file, '#!/usr/bin/env -S uv run --script')).toBe('python');
    const expected: DetectResult = {
      references: [],
      dependencies: [
        {
          requirement: 'httpx>=0.27',
          name: 'httpx',
          specifier: '>=0.27',
          source: `${file}:5`,
          context: 'tools',
          origin: 'pyproject',
          meta: { script: true },
        },
        {
          requirement: 'rich',
          name: 'rich',
          specifier: '',
          source: `${file}:6`,
          context: 'tools',
          origin: 'pyproject',
          meta: { script: true },
        },
        importOf(file, 9, 'httpx', 'httpx', { module: 'httpx' }),
      ],
      dependencySource: {
        ...source(file, 'pyproject'),
        requiresPython: { specifier: '>=3.11', line: 3 },
      },
    };
    expect(detect(text, file)).toEqual(expected);
    expect(detect(crlf(text), file)).toEqual(expected);
    const unclosed = detect('# /// script\n# dependencies = ["x"]\nimport os\n', 'a.py');
    expect(unclosed?.dependencySource?.problems).toEqual([
      {
        source: 'a.py:1',
        line: 1,
        message: "the '# /// script' block has no closing '# ///' line",
      },
    ]);
    const broken = detect('# /// script\n# dependencies = [\n# ///\n', 'a.py');
    expect(broken?.dependencySource?.problems.map((p) => p.line)).toEqual([2]);
  });

  test('the built-in standard-library list covers the interpreter on PATH', () => {
    const names = execFileSync(
      'python3',
      ['-c', 'import sys; print("\\n".join(sorted(sys.stdlib_module_names)))'],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    expect(names.filter((name) => !FALLBACK_STDLIB_MODULES.has(name))).toEqual([]);
  });
});

describe('local modules', () => {
  function walk(dir: string, prefix = ''): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      return entry.isDirectory() ? walk(path.join(dir, entry.name), rel) : [rel];
    });
  }

  test('the seed repository: local modules dropped, the build-dir module named by the core', () => {
    const files = walk(seedRoot).sort();
    const found: DependencyDeclaration[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(seedRoot, file), 'utf8');
      const firstLine = text.split('\n', 1)[0]!;
      if (!adapter.matches(file, firstLine)) continue;
      found.push(...(adapter.detect(text, file, detectContext)?.dependencies ?? []));
    }
    const imports = dropLocalImports(found, files, ['msd_reader']).filter(
      (d) => d.origin === 'import',
    );
    expect(imports.map((d) => `${d.source} ${d.requirement} (${d.context})`)).toEqual([
      'replay/replay/server.py:9 fastapi (replay/replay)',
      'replay/replay/server.py:10 pydantic (replay/replay)',
      'replay/tests/test_server.py:1 pytest (replay/tests)',
      'replay/tests/test_server.py:2 fastapi (replay/tests)',
      'scripts/mcp/codebase_server.py:6 fastmcp (scripts/mcp)',
      'scripts/mcp/traceability_server.py:6 fastmcp (scripts/mcp)',
      'scripts/traceability/index_record_mappings.py:6 tree-sitter-cpp (scripts/traceability)',
      'scripts/traceability/index_record_mappings.py:7 tree-sitter (scripts/traceability)',
      'scripts/traceability/index_symbols.py:6 tree-sitter-cpp (scripts/traceability)',
      'scripts/traceability/index_symbols.py:7 tree-sitter (scripts/traceability)',
    ]);
    const before = found.filter((d) => d.origin === 'import').map((d) => d.meta?.module);
    expect(before.filter((m) => m === 'trace_db' || m === 'replay' || m === 'msd_reader')).toEqual([
      'msd_reader',
      'replay',
      'trace_db',
      'trace_db',
      'trace_db',
      'trace_db',
    ]);
  });

  test('sibling modules, the script’s own package, src layouts; not a same-named directory elsewhere', () => {
    const files = [
      'scripts/mcp/server.py',
      'scripts/mcp/helpers.py',
      'scripts/tools/mcp/__init__.py',
      'lib/pyproject.toml',
      'lib/src/corelib/__init__.py',
      'lib/tests/test_core.py',
      'pkg/app/__init__.py',
      'pkg/app/sub/__init__.py',
      'pkg/app/sub/run.py',
      'native/fast.cpython-311-x86_64-linux-gnu.so',
      'native/use.py',
    ];
    const declare = (file: string, module: string) => importOf(file, 1, module, module, { module });
    const all = [
      declare('scripts/mcp/server.py', 'helpers'),
      declare('scripts/mcp/server.py', 'mcp'),
      declare('lib/tests/test_core.py', 'corelib'),
      declare('pkg/app/sub/run.py', 'app'),
      declare('native/use.py', 'fast'),
      declare('native/use.py', 'numpy'),
    ];
    expect(dropLocalImports(all, files).map((d) => `${d.source} ${d.requirement}`)).toEqual([
      'scripts/mcp/server.py:1 mcp',
      'native/use.py:1 numpy',
    ]);
  });
});

describe('any input', () => {
  const fragments = [
    '\n',
    '\r\n',
    '\\',
    '\\\n',
    '#',
    ' #',
    '"',
    "'",
    '"""',
    "'''",
    '[',
    ']',
    '{',
    '}',
    '(',
    ')',
    '=',
    ':',
    ';',
    ',',
    '.',
    ' ',
    '    ',
    '\t',
    'import ',
    'from ',
    'try:',
    'except ImportError:',
    'yaml',
    'f"{',
    'rb"',
    '-r ',
    '-c ',
    '-e ',
    '--hash=sha256:0',
    '--index-url ',
    `\${VAR}`,
    'https://user:SECRETXYZ@host/',
    'git+https://SECRETXYZ@host/x.git#egg=x',
    'pkg>=1',
    ' ; python_version < "3.9"',
    '[project]',
    'dependencies = [',
    'requires-python = ',
    'name = ',
    '[dependency-groups]',
    '{include-group = "a"}',
    '[tool.poetry.dependencies]',
    '"^1.2"',
    '[tool.pyright]',
    'venv = ',
    '[options]',
    'install_requires =',
    '[options.extras_require]',
    '[mypy]',
    'python_executable = ',
  ];
  // Whole lines that are valid in some file kind, so random files often parse.
  const wholeLines = [
    '[project]',
    'dependencies = ["pkg>=1", "x ; python_version < \'3.9\'"]',
    '"alpha>=1",',
    ']',
    '[tool.pyright]',
    'venv = ".venv"',
    '[tool.mypy]',
    'python_executable = "tools/.venv/bin/python"',
    '[tool.poetry.dependencies]',
    'fastapi = "^0.110"',
    '[dependency-groups]',
    'test = ["pytest", {include-group = "lint"}]',
    'lint = ["ruff"]',
    '[options]',
    'install_requires =',
    '    requests>=2',
    '[mypy]',
    'python_executable = .venv/bin/python',
    '# /// script',
    '# dependencies = ["rich"]',
    '# ///',
    'import yaml, cv2',
    '    from PIL import Image',
    'except ImportError:',
    '-e ../lib',
    'pkg==1.0 --hash=sha256:abc',
  ];
  const line = fc.oneof(
    { arbitrary: fc.constantFrom(...wholeLines), weight: 4 },
    {
      arbitrary: fc
        .array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 4 })), {
          maxLength: 5,
        })
        .map((parts) => parts.join('')),
      weight: 1,
    },
  );
  const input = fc
    .tuple(fc.array(line, { maxLength: 30 }), fc.boolean())
    .map(([lines, windows]) => lines.join(windows ? '\r\n' : '\n'));
  const files = ['requirements.txt', 'constraints.txt', 'pyproject.toml', 'setup.cfg', 'tool.py'];

  test('never throws; every line it reports is in the file; spans are exact; secrets stay', () => {
    fc.assert(
      fc.property(input, fc.constantFrom(...files), (text, file) => {
        const kind = fileKind(file, '')!;
        // Call the parser itself: detectDependencies would hide a throw behind its guard.
        const result = detectUnguarded(text, file, kind);
        if (result === null) return;
        const lineCount = text.split('\n').length;
        const inFile = (line: number) => Number.isInteger(line) && line >= 1 && line <= lineCount;
        const lineOf = (where: string) => Number(where.slice(where.lastIndexOf(':') + 1));
        for (const dependency of result.dependencies ?? []) {
          expect(dependency.source.startsWith(`${file}:`)).toBe(true);
          expect(inFile(lineOf(dependency.source))).toBe(true);
        }
        const s = result.dependencySource;
        if (s) {
          const lines = [
            ...s.includes.map((x) => x.line),
            ...s.directInstalls.map((x) => x.line),
            ...s.options.map((x) => x.line),
            ...s.groupIncludes.map((x) => x.line),
            ...s.problems.map((x) => x.line),
            ...s.problems.map((x) => lineOf(x.source)),
          ];
          if (s.package) lines.push(s.package.line);
          if (s.requiresPython) lines.push(s.requiresPython.line);
          for (const line of lines) expect(inFile(line)).toBe(true);
        }
        for (const reference of result.references) {
          expect(inFile(reference.line)).toBe(true);
          expect(text.slice(reference.span.start, reference.span.end)).toBe(reference.text);
        }
        expect(JSON.stringify(result)).not.toContain('SECRETXYZ');
      }),
      { numRuns: 1500 },
    );
  });
});
