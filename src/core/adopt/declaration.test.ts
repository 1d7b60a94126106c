// biome-ignore-all lint/suspicious/noTemplateCurlyInString: requirement files and CMake spell their variables ${name}.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, type TempRepo } from '../../../test/helpers/repo.js';
import { listFiles } from '../scan/discover.js';
import { scanRepository } from '../scan/scan.js';
import {
  combineRequiresPython,
  type Declaration,
  groupName,
  planDeclaration,
} from './declaration.js';

async function declare(repo: TempRepo, interpreterVersion = '3.11.7'): Promise<Declaration> {
  const [scan, listing] = await Promise.all([scanRepository(repo.root), listFiles(repo.root)]);
  return planDeclaration({ scan, files: listing.files, interpreterVersion });
}

function groups(declaration: Declaration): Record<string, string[]> {
  return Object.fromEntries(
    declaration.groups.map((g) => [g.name, g.requirements.map((r) => r.requirement)]),
  );
}

describe('the declaration adopt plans', () => {
  let repo: TempRepo;
  let declaration: Declaration;

  beforeAll(async () => {
    repo = await makeRepo(
      {
        '.mcp.json': JSON.stringify({
          mcpServers: {
            tools: { command: 'tools/.venv/bin/python', args: ['tools/mcp/server.py'] },
          },
        }),
        'tools/mcp/server.py': 'import alpha\nimport json\n',
        'tools/mcp/requirements.txt': 'tiny-sitter==0.21.0\n',
        'tools/indexer/index.py': 'import tiny_sitter_cpp\nfrom tiny_sitter import LANGUAGES\n',
        'tools/indexer/requirements.txt': 'tiny-sitter>=0.21\n',
        'tools/run.sh':
          '#!/bin/sh\ncd "$(dirname "$0")/.."\nexport PYTHONPATH=build/native:tools/indexer\nexec tools/.venv/bin/python -m black .\n',
        'lib/pyproject.toml':
          '[project]\nname = "lib"\nversion = "0.1"\nrequires-python = ">=3.9"\ndependencies = ["gamma"]\n\n[project.optional-dependencies]\ntests = ["twomods"]\n\n[build-system]\nrequires = []\nbuild-backend = "tiny_backend"\n',
        'lib/src/lib/__init__.py': 'import gamma\n',
        'lib/tests/test_lib.py': 'import lib\nimport beta\nimport twomods_a\n',
        'service/setup.cfg':
          '[metadata]\nname = service\n\n[options]\npython_requires = >=3.10, <3.13\ninstall_requires =\n    alpha>=1.1\n',
        'service/service.py': 'import alpha\n',
        'service/requirements/dev.txt': 'filler-01\n-c constraints.txt\n',
        'service/requirements/constraints.txt': 'filler-02==1.0.0\n',
        'requirements-docs.txt': 'filler-03\n${EXTRA_PKG}\nfiller-05==${FILLER_VERSION}\n',
        'make_db.py': 'import filler_04\n',
        'CMakeLists.txt':
          'cmake_minimum_required(VERSION 3.24)\nproject(x CXX)\nfind_package(Python3 COMPONENTS Interpreter Development.Module)\nexecute_process(COMMAND ${Python3_EXECUTABLE} -m nanobind --cmake_dir OUTPUT_VARIABLE nanobind_ROOT)\nfind_package(nanobind CONFIG REQUIRED)\nnanobind_add_module(native_mod native.cpp)\n',
      },
      { git: true },
    );
    declaration = await declare(repo);
  });

  afterAll(() => repo.cleanup());

  it('names one group per context and fills it from declarations and imports', () => {
    expect(groups(declaration)).toEqual({
      build: ['nanobind'],
      docs: ['filler-03'],
      dev: ['filler-01'],
      indexer: ['tiny-sitter>=0.21', 'tiny-sitter-cpp'],
      lib: ['beta', 'twomods-a'],
      mcp: ['alpha', 'tiny-sitter==0.21.0'],
      service: ['alpha>=1.1'],
      test: ['twomods'],
      tools: ['black', 'filler-04'],
    });
    expect(declaration.groups.map((g) => [g.name, g.origins])).toEqual([
      ['build', ['CMake -m nanobind', 'CMake find_package(nanobind)']],
      ['dev', ['service/requirements/dev.txt']],
      ['docs', ['requirements-docs.txt']],
      ['indexer', ['tools/indexer', 'tools/indexer/requirements.txt']],
      ['lib', ['lib']],
      ['mcp', ['tools/mcp', 'tools/mcp/requirements.txt']],
      ['service', ['service/setup.cfg']],
      ['test', ['lib/pyproject.toml extra tests']],
      ['tools', ['.', 'script tools/run.sh (-m black)']],
    ]);
  });

  it('makes local packages editable, build output a path, and reports conflicts', () => {
    expect(declaration.editables).toEqual(['lib', 'service']);
    expect(declaration.paths).toEqual(['build/native']);
    expect(declaration.extensionModules).toEqual([
      { module: 'native_mod', file: 'CMakeLists.txt' },
    ]);
    expect(declaration.requiresPython).toBe('>=3.10,<3.13');
    expect(declaration.requiresPythonSources).toEqual([
      'lib/pyproject.toml:4',
      'service/setup.cfg:5',
    ]);
    expect(declaration.conflicts).toEqual([
      {
        name: 'tiny-sitter',
        group: 'indexer, mcp',
        chosen: 'tiny-sitter>=0.21; tiny-sitter==0.21.0',
        sources: [
          { source: 'tools/indexer/requirements.txt:1', requirement: 'tiny-sitter>=0.21' },
          { source: 'tools/mcp/requirements.txt:1', requirement: 'tiny-sitter==0.21.0' },
        ],
        message:
          'tiny-sitter: tools/indexer/requirements.txt:1 asks tiny-sitter>=0.21, tools/mcp/requirements.txt:1 asks tiny-sitter==0.21.0; writing tiny-sitter>=0.21; tiny-sitter==0.21.0 (the lock must satisfy all of them)',
      },
    ]);
    expect(declaration.notes).toEqual([
      "PYTHONPATH entry tools/indexer holds the repository's own sources: left to the consumers that set it, not added to paths",
      'lib/tests/test_lib.py:2 imports beta, which lib does not declare: added to group lib',
      'lib/tests/test_lib.py:3 imports twomods_a, which lib does not declare: added to group lib',
      "requirements-docs.txt:2: '${EXTRA_PKG}' names its package through a variable",
      'requirements-docs.txt:3: filler-05==${FILLER_VERSION} is built from a variable the installer expands: not carried over, add it with onevenv add',
    ]);
  });
});

describe('requires-python', () => {
  it('keeps the highest lower bound, the lowest upper bound and every other clause', () => {
    expect(combineRequiresPython(['>=3.9', '>=3.10,<3.13', '!=3.11.0', '<3.14'], '3.11.7')).toBe(
      '>=3.10,<3.13,!=3.11.0',
    );
    expect(combineRequiresPython(['>3.10', '>=3.10'], undefined)).toBe('>3.10');
    expect(combineRequiresPython(['~=3.10'], undefined)).toBe('~=3.10');
  });

  it('falls back to the minor version of the interpreter found, or nothing', () => {
    expect(combineRequiresPython([], '3.12.4')).toBe('>=3.12');
    expect(combineRequiresPython([], undefined)).toBeUndefined();
  });
});

describe('group names', () => {
  it('normalises like PEP 735 and folds the test spellings', () => {
    expect(['Tests', 'testing', 'My_Tools', 'doc', 'mcp'].map(groupName)).toEqual([
      'test',
      'test',
      'my-tools',
      'docs',
      'mcp',
    ]);
  });
});
