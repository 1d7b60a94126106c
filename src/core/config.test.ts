import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatUserError, UserError, UserErrors } from '../util/errors.js';
import { parseConfigText } from './config.js';

const root = '/repo';

function errorsOf(text: string): string[] {
  try {
    parseConfigText(text, root);
  } catch (error) {
    if (error instanceof UserErrors) return error.errors.map(formatUserError);
    if (error instanceof UserError) return [formatUserError(error)];
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfigText', () => {
  it('normalises a full declaration', () => {
    const config = parseConfigText(
      `[project]
name = "env"
version = "0"
requires-python = ">=3.10"
dependencies = ["six"]

[dependency-groups]
base = ["alpha>=1"]
mcp = ["beta", { include-group = "base" }]

[tool.onevenv]
venv = ".venv"
editable = ["../replay"]
paths = ["../build/debug"]
installer = "pip"

[tool.onevenv.imports]
mcp = ["beta", "alpha.sub"]
`,
      root,
    );
    expect(config.requiresPython).toBe('>=3.10');
    expect(config.venv).toBe(path.resolve('/repo/python/.venv'));
    expect(config.lock).toBe(path.resolve('/repo/python/requirements.txt'));
    expect(config.editable).toEqual(['/repo/replay']);
    expect(config.paths).toEqual(['/repo/build/debug']);
    expect(config.installer).toBe('pip');
    expect(config.dependencies.map((r) => r.raw)).toEqual(['six']);
    expect(Object.keys(config.groups)).toEqual(['base', 'mcp']);
    expect(config.groups.mcp!.map((r) => [r.raw, r.declaredIn, r.line])).toEqual([
      ['beta', 'mcp', 9],
      ['alpha>=1', 'base', 8],
    ]);
    expect(config.imports).toEqual({ mcp: ['beta', 'alpha.sub'] });
  });

  it('fills defaults for an empty file', () => {
    const config = parseConfigText('', root);
    expect(config).toMatchObject({
      groups: {},
      installer: 'auto',
      editable: [],
      paths: [],
      requiresPython: undefined,
      lockTimeout: 300,
    });
  });

  it('reports malformed TOML with line and column', () => {
    expect(errorsOf('[dependency-groups]\nbase = ["six"\n')).toEqual([
      expect.stringMatching(
        /^python\/pyproject\.toml:3:1: invalid TOML: .* \(fix the syntax and run again\)$/,
      ),
    ]);
  });

  it('reports every problem at once, each with its line', () => {
    expect(
      errorsOf(`[project]
requires-python = ">>3"

[dependency-groups]
a = ["six >>>= 1", { include-group = "nope" }]
b = ["ok"]

[tool.onevenv]
installer = "conda"
`),
    ).toEqual([
      'python/pyproject.toml:9: tool.onevenv.installer: expected one of "auto"|"uv"|"pip", got "conda"',
    ]);
    expect(
      errorsOf(`[project]
requires-python = ">>3"

[dependency-groups]
a = ["six >>>= 1", { include-group = "nope" }]
`),
    ).toEqual([
      'python/pyproject.toml:2: project.requires-python: invalid version specifier ">>3" (use PEP 440 specifiers, e.g. ">=3.10")',
      `python/pyproject.toml:5: dependency-groups.a: invalid version specifier '>>>= 1' in 'six >>>= 1' (use a PEP 508 requirement such as "six>=1.16")`,
      'python/pyproject.toml:5: dependency-groups.a: include-group "nope" names no group (groups defined: a)',
    ]);
  });

  it('reports include-group cycles', () => {
    expect(
      errorsOf(
        '[dependency-groups]\na = [{ include-group = "b" }]\nb = [{ include-group = "a" }]\n',
      ),
    ).toEqual([
      'python/pyproject.toml:2: dependency-groups: include-group cycle a -> b -> a (remove one of the include-group entries)',
      'python/pyproject.toml:3: dependency-groups: include-group cycle b -> a -> b (remove one of the include-group entries)',
    ]);
  });

  it('names unknown [tool.onevenv] keys and the allowed ones', () => {
    expect(errorsOf('[tool.onevenv]\nvenvs = "x"\n')).toEqual([
      'python/pyproject.toml:2: unknown key venvs in tool.onevenv (allowed: venv, lock, editable, paths, installer, imports, python-install, lock-timeout, index-url, find-links)',
    ]);
  });

  it('rejects a group that is not a list', () => {
    expect(errorsOf('[dependency-groups]\na = "six"\n')).toEqual([
      'python/pyproject.toml:2: dependency-groups.a: expected array, received string, got "six"',
    ]);
  });
});
