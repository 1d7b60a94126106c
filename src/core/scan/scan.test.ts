import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, type TempRepo } from '../../../test/helpers/repo.js';
import { LineIndex, makeReference } from '../../adapters/reference.js';
import type {
  Adapter,
  DependencyDeclaration,
  DetectResult,
  Reference,
  SkipReason,
} from '../../adapters/types.js';
import { UserError } from '../../util/errors.js';
import { scanRepository } from './scan.js';

/**
 * A stand-in adapter: files named *.uses (or sh shebang scripts) hold lines
 * `use <environment> for <consumer> [skip <reason>]`. It records what it was given, so
 * the tests can see exactly which files (and which text) discovery handed over.
 */
function usesAdapter() {
  const seen = new Map<string, string>();
  const adapter: Adapter = {
    name: 'shell',
    matches: (file, firstLine) => file.endsWith('.uses') || firstLine.startsWith('#!/bin/sh'),
    detect(content, file) {
      seen.set(file, content);
      const lines = new LineIndex(content);
      const references: Reference[] = [];
      for (const match of content.matchAll(/^use (\S+) for ([^\r\n]+?)(?: skip (\S+))?\r?$/gm)) {
        const start = match.index + 4;
        references.push(
          makeReference(content, lines, file, start, start + match[1]!.length, {
            kind: 'python-command',
            adapter: 'shell',
            consumer: match[2]!,
            environment: match[1]!,
            ...(match[3] ? { skipReason: match[3] as SkipReason } : {}),
          }),
        );
      }
      return references.length > 0 ? { references } : null;
    },
  };
  return { adapter, seen };
}

/** requirements-like files: `-r other` includes, any other line a dependency. */
const depsAdapter: Adapter = {
  name: 'python-deps',
  matches: (file) => /(^|\/)requirements[^/]*\.txt$/.test(file),
  detect(content, file): DetectResult {
    const dependencies: DependencyDeclaration[] = [];
    const includes: NonNullable<DetectResult['dependencySource']>['includes'] = [];
    content.split('\n').forEach((raw, index) => {
      const line = raw.trim();
      if (!line) return;
      const include = /^-r\s+(\S+)$/.exec(line);
      if (include) {
        const target = path.posix.join(path.posix.dirname(file), include[1]!);
        includes.push({
          kind: 'requirements',
          path: target,
          written: include[1]!,
          local: true,
          line: index + 1,
        });
        return;
      }
      const [, name, specifier] = /^([\w.-]+)(.*)$/.exec(line)!;
      dependencies.push({
        requirement: line,
        name: name!,
        specifier: specifier!,
        source: `${file}:${index + 1}`,
        context: path.posix.dirname(file),
        origin: 'requirements',
      });
    });
    return {
      references: [],
      dependencies,
      dependencySource: {
        file,
        context: path.posix.dirname(file),
        origin: 'requirements',
        unified: false,
        includes,
        directInstalls: [],
        options: [],
        groupIncludes: [],
        problems: [],
      },
    };
  },
};

const treeFiles: Record<string, string> = {
  '.gitignore': 'ignored/\n*.log\nscripts/.venv/\na/b/c/d/.venv/\nx/\nnode_modules/\n',
  'a.uses': 'use scripts/.venv for CMake target trace\nuse a/b/c/d/.venv/ for script deep\n',
  'bom.uses': '\uFEFFuse .venv for script bom\r\n',
  'nested/dir/c.uses': 'use python/.venv for MCP server docs\n',
  'ignored/x.uses': 'use nope for ignored\n',
  'debug.log.uses': 'use logged for not ignored (pattern is *.log)\n',
  'run-me': '#!/bin/sh\nuse run-env for script run-me\n',
  LICENSE: 'use not-routed for no shebang\n',
  'readme.md': 'use not-routed for wrong extension\n',
  'scripts/.venv/pyvenv.cfg': 'home = /usr/bin\n',
  'scripts/.venv/bin/activate.uses': 'use inside-venv for ignored venv\n',
  'tools/env/pyvenv.cfg': 'home = /usr/bin\n',
  'tools/env/bin/activate.uses': 'use inside-venv for unignored venv\n',
  'a/b/c/d/.venv/pyvenv.cfg': 'home = /usr/bin\n',
  'x/y/z/w/.venv/pyvenv.cfg': 'home = /usr/bin\n',
  'node_modules/pkg/.venv/pyvenv.cfg': 'home = /usr/bin\n',
  'requirements.txt': 'fastapi>=0.110\n-r reqs/base.in\n',
  'reqs/base.in': 'pydantic\n-r ../requirements.txt\n',
};

const expectedSeen = {
  'a.uses': treeFiles['a.uses'],
  'bom.uses': 'use .venv for script bom\r\n',
  'debug.log.uses': treeFiles['debug.log.uses'],
  'nested/dir/c.uses': treeFiles['nested/dir/c.uses'],
  'run-me': treeFiles['run-me'],
};

async function addOddFiles(repo: TempRepo): Promise<void> {
  await fs.writeFile(path.join(repo.root, 'binary.uses'), Buffer.from('use x for y\n\0\0\0'));
  await fs.writeFile(path.join(repo.root, 'huge.uses'), `use x for huge\n${'#'.repeat(2000)}\n`);
  await fs.writeFile(path.join(repo.root, 'tool'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]));
}

const expectedResult = (root: string, discovery: 'git' | 'walk') => ({
  root,
  unifiedVenv: 'python/.venv',
  discovery,
  venvsOnDisk: ['a/b/c/d/.venv', 'scripts/.venv', 'tools/env'],
  skipped: [
    { file: 'binary.uses', reason: 'binary' },
    { file: 'huge.uses', reason: 'too-large' },
  ],
  environments: [
    { id: '.venv', path: path.join(root, '.venv'), consumers: ['script bom'] },
    { id: 'a/b/c/d/.venv', path: path.join(root, 'a/b/c/d/.venv'), consumers: ['script deep'] },
    {
      id: 'logged',
      path: path.join(root, 'logged'),
      consumers: ['not ignored (pattern is *.log)'],
    },
    { id: 'python/.venv', path: path.join(root, 'python/.venv'), consumers: ['MCP server docs'] },
    { id: 'run-env', path: path.join(root, 'run-env'), consumers: ['script run-me'] },
    {
      id: 'scripts/.venv',
      path: path.join(root, 'scripts/.venv'),
      consumers: ['CMake target trace'],
    },
  ],
  references: [
    ['a.uses', 1, 5, 'scripts/.venv', false],
    ['a.uses', 2, 5, 'a/b/c/d/.venv', false],
    ['bom.uses', 1, 5, '.venv', false],
    ['debug.log.uses', 1, 5, 'logged', false],
    ['nested/dir/c.uses', 1, 5, 'python/.venv', true],
    ['run-me', 2, 5, 'run-env', false],
  ],
  dependencies: [
    ['fastapi', '>=0.110', 'requirements.txt:1'],
    ['pydantic', '', 'reqs/base.in:1'],
  ],
});

function summarize(result: Awaited<ReturnType<typeof scanRepository>>) {
  return {
    root: result.root,
    unifiedVenv: result.unifiedVenv,
    discovery: result.discovery,
    venvsOnDisk: result.venvsOnDisk,
    skipped: result.skipped,
    environments: result.environments,
    references: result.references.map((r) => [r.file, r.line, r.column, r.environment, r.unified]),
    dependencies: result.dependencies.map((d) => [d.name, d.specifier, d.source]),
  };
}

describe('scan discovery', () => {
  let gitRepo: TempRepo;
  let plainRepo: TempRepo;

  beforeAll(async () => {
    gitRepo = await makeRepo(
      { ...treeFiles, 'deleted.uses': 'use gone for gone\n' },
      { git: true },
    );
    await fs.rm(path.join(gitRepo.root, 'deleted.uses'));
    // untracked, not ignored: listed too
    await gitRepo.write('untracked/new.uses', 'use .venv for script bom\n');
    await addOddFiles(gitRepo);
    plainRepo = await makeRepo({
      ...treeFiles,
      'untracked/new.uses': 'use .venv for script bom\n',
    });
    await addOddFiles(plainRepo);
  });

  afterAll(async () => {
    await gitRepo.cleanup();
    await plainRepo.cleanup();
  });

  for (const kind of ['git', 'walk'] as const) {
    it(`lists, routes, reads and classifies (${kind})`, async () => {
      const repo = kind === 'git' ? gitRepo : plainRepo;
      const { adapter, seen } = usesAdapter();
      const result = await scanRepository(repo.root, {
        adapters: [adapter, depsAdapter],
        maxFileBytes: 1000,
      });
      const expected = expectedResult(repo.root, kind);
      expected.references.push(['untracked/new.uses', 1, 5, '.venv', false]);
      expect(summarize(result)).toEqual(expected);
      expect(Object.fromEntries([...seen].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual({
        ...expectedSeen,
        'untracked/new.uses': 'use .venv for script bom\n',
      });
      // One pass each: requirements.txt, and base.in through the include.
      expect(result.dependencySources.map((s) => s.file)).toEqual([
        'reqs/base.in',
        'requirements.txt',
      ]);
    });
  }

  it('reports an adapter that throws as a bug, naming the adapter and the file', async () => {
    const broken: Adapter = {
      name: 'docs',
      matches: (file) => file === 'a.uses',
      detect() {
        throw new TypeError('boom');
      },
    };
    await expect(scanRepository(plainRepo.root, { adapters: [broken] })).rejects.toThrow(
      'the docs adapter failed on a.uses',
    );
  });
});

describe("onevenv's own files", () => {
  it('are not read: a generated setup.sh, README and lock say nothing about consumers', async () => {
    const { adapter } = usesAdapter();
    const repo = await makeRepo({
      'python/setup.sh.uses':
        '# Generated by onevenv 0.1.0 from python/pyproject.toml\nuse other for script x\n',
      'python/README.uses':
        '# Python\n<!-- Generated by onevenv from python/pyproject.toml -->\nuse other for script x\n',
      'python/requirements.uses':
        '# This file is generated by onevenv 0.1.0; do not edit it.\nuse other for script x\n',
      'tools/run.uses': '# generated by hand, not by onevenv tools\nuse other for script x\n',
    });
    try {
      const result = await scanRepository(repo.root, { adapters: [adapter] });
      expect(result.references.map((r) => r.file)).toEqual(['tools/run.uses']);
    } finally {
      await repo.cleanup();
    }
  });
});

describe('the unified venv', () => {
  it('comes from [tool.onevenv] venv, relative to python/', async () => {
    const { adapter } = usesAdapter();
    const repo = await makeRepo({
      'python/pyproject.toml': '[project]\nname = "x"\n\n[tool.onevenv]\nvenv = "../env"\n',
      'a.uses': 'use env for script a\nuse python/.venv for script b\n',
    });
    try {
      const result = await scanRepository(repo.root, { adapters: [adapter] });
      expect(result.unifiedVenv).toBe('env');
      expect(result.references.map((r) => [r.environment, r.unified])).toEqual([
        ['env', true],
        ['python/.venv', false],
      ]);
    } finally {
      await repo.cleanup();
    }
  });

  it('defaults to python/.venv, and unreadable TOML is a user error with its line', async () => {
    const repo = await makeRepo({ 'python/pyproject.toml': '[tool.onevenv]\nvenv = \n' });
    try {
      const error = await scanRepository(repo.root, { adapters: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).location).toEqual({
        file: 'python/pyproject.toml',
        line: 2,
        column: 8,
      });
      await repo.write('python/pyproject.toml', '[project]\nname = "x"\n');
      expect((await scanRepository(repo.root, { adapters: [] })).unifiedVenv).toBe('python/.venv');
    } finally {
      await repo.cleanup();
    }
  });
});
