import { TomlError } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import type { Declaration } from './declaration.js';
import { mergePyproject, projectName, renderPyproject } from './pyproject.js';

function declaration(overrides: Partial<Declaration> = {}): Declaration {
  return {
    requiresPython: '>=3.10',
    requiresPythonSources: ['replay/pyproject.toml:9'],
    groups: [
      {
        name: 'mcp',
        requirements: [{ requirement: 'fastmcp', name: 'fastmcp', sources: ['a.py:1'] }],
        origins: ['scripts/mcp'],
      },
      {
        name: 'traceability',
        requirements: [
          { requirement: 'tree-sitter>=0.21', name: 'tree-sitter', sources: ['b.py:1'] },
          { requirement: 'tree-sitter-cpp', name: 'tree-sitter-cpp', sources: ['b.py:2'] },
        ],
        origins: ['scripts/traceability'],
      },
    ],
    editables: ['replay'],
    paths: ['build/Debug/debug'],
    extensionModules: [],
    conflicts: [],
    notes: [],
    ...overrides,
  };
}

describe('python/pyproject.toml written whole', () => {
  it('names the project after the repository directory', () => {
    expect(projectName('/home/me/My Repo')).toBe('my-repo-python-env');
    expect(projectName('/tmp/...')).toBe('repository-python-env');
  });

  it('says where requires-python came from, or that the interpreter decided it', () => {
    const text = renderPyproject(
      declaration({
        requiresPython: '>=3.12',
        requiresPythonSources: [],
        groups: [],
        editables: [],
        paths: [],
      }),
      '/x/msd',
    );
    expect(text).toBe(
      [
        '# The one Python environment of this repository (python/.venv): every context that',
        '# uses Python has a dependency group here. python/requirements.txt pins them all',
        '# (onevenv lock); python/setup.sh or onevenv sync builds the venv from it.',
        '# Written by onevenv adopt from what it found; edit freely, or use onevenv add.',
        '',
        '[project]',
        'name = "msd-python-env"  # never built or published',
        'version = "0"',
        'requires-python = ">=3.12"  # the interpreter found when adopting',
        'dependencies = []',
        '',
      ].join('\n'),
    );
  });
});

describe('an existing python/pyproject.toml', () => {
  const existing = [
    '[project]',
    'name = "mine"',
    'version = "0"',
    'requires-python = ">=3.11"',
    '',
    '[dependency-groups]',
    '# my comment',
    "mcp = ['fastmcp>=2']  # pinned by hand",
    '',
    '[tool.onevenv]',
    'installer = "uv"',
    '',
  ].join('\n');

  it('gains only what it lacks, spliced in, and keeps every other byte', () => {
    const merged = mergePyproject(existing, declaration());
    expect(merged.text).toBe(
      [
        '[project]',
        'name = "mine"',
        'version = "0"',
        'requires-python = ">=3.11"',
        '',
        '[dependency-groups]',
        '# my comment',
        "mcp = ['fastmcp>=2']  # pinned by hand",
        'traceability = ["tree-sitter>=0.21", "tree-sitter-cpp"]',
        '',
        '[tool.onevenv]',
        'installer = "uv"',
        'editable = ["../replay"]',
        'paths = ["../build/Debug/debug"]',
        '',
      ].join('\n'),
    );
    expect(merged.changes).toEqual([
      'dependency-groups.traceability: added tree-sitter>=0.21',
      'dependency-groups.traceability: added tree-sitter-cpp',
      'tool.onevenv.editable: added ../replay',
      'tool.onevenv.paths: added ../build/Debug/debug',
    ]);
    expect(mergePyproject(merged.text, declaration())).toEqual({ text: merged.text, changes: [] });
  });

  it('extends existing arrays in their own style, keeping CRLF', () => {
    const text =
      '[tool.onevenv]\r\neditable = [\r\n  "../other",\r\n]\r\npaths = ["../a"]\r\n\r\n[dependency-groups]\r\nmcp = ["fastmcp"]\r\ntraceability = ["tree-sitter"]\r\n';
    expect(mergePyproject(text, declaration()).text).toBe(
      '[tool.onevenv]\r\neditable = [\r\n  "../other",\r\n  "../replay",\r\n]\r\npaths = ["../a", "../build/Debug/debug"]\r\n\r\n[dependency-groups]\r\nmcp = ["fastmcp"]\r\ntraceability = ["tree-sitter", "tree-sitter-cpp"]\r\n',
    );
  });

  it('adds the [tool.onevenv] table when there is none, after a last line without newline', () => {
    const text =
      '[project]\nname = "x"\nversion = "0"\ndependencies = ["fastmcp", "tree-sitter", "tree-sitter-cpp"]';
    expect(mergePyproject(text, declaration()).text).toBe(
      `${text}\n\n[tool.onevenv]\neditable = ["../replay"]\npaths = ["../build/Debug/debug"]\n`,
    );
  });

  it('refuses invalid TOML by throwing the parser error', () => {
    expect(() => mergePyproject('[project\n', declaration())).toThrow(TomlError);
  });
});
