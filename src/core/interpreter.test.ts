import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../util/errors.js';
import {
  discoverInterpreter,
  findInterpreter,
  type InterpreterRequest,
  pinMatches,
  rejectionReason,
} from './interpreter.js';

const request = (requiresPython?: string, pins: string[] = []): InterpreterRequest => ({
  requiresPython,
  pins,
  pinFile: pins.length > 0 ? '/repo/.python-version' : undefined,
});

describe('matching', () => {
  it('pins match by prefix of version parts', () => {
    expect(pinMatches('3.11', '3.11.7')).toBe(true);
    expect(pinMatches('3.11.7', '3.11.7')).toBe(true);
    expect(pinMatches('3.11.6', '3.11.7')).toBe(false);
    expect(pinMatches('3.1', '3.11.7')).toBe(false);
    expect(pinMatches('cpython-3.12', '3.12.1')).toBe(true);
    expect(pinMatches('pypy', '3.12.1')).toBe(false);
  });

  it('says why a version does not fit', () => {
    expect(rejectionReason('3.11.7', request('>=3.10'))).toBeUndefined();
    expect(rejectionReason('3.9.18', request('>=3.10'))).toBe(
      'does not satisfy requires-python >=3.10',
    );
    expect(rejectionReason('3.12.1', request('>=3.10', ['3.11']))).toBe(
      'does not match .python-version (3.11)',
    );
    expect(rejectionReason('3.12.1', request(undefined, ['3.11', '3.12']))).toBeUndefined();
  });
});

describe('discovery', () => {
  let dir: string;
  let real: string;
  let version: string;
  beforeAll(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-interp-')));
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import sys, os, platform; print(os.path.realpath(sys._base_executable if hasattr(sys, "_base_executable") else sys.executable)); print(platform.python_version())',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    real = out[0]!;
    version = out[1]!;
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  async function layout(files: Record<string, string | { link: string }>): Promise<string> {
    const root = await fs.mkdtemp(path.join(dir, 'case-'));
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(root, file);
      await fs.mkdir(path.dirname(target), { recursive: true });
      if (typeof content === 'string') await fs.writeFile(target, content, { mode: 0o755 });
      else await fs.symlink(content.link, target);
    }
    return root;
  }

  it('rejects by name without running, skips venvs, takes the first that fits', async () => {
    const root = await layout({
      'a/python3.9': '#!/bin/sh\nexit 1\n',
      'venv/pyvenv.cfg': 'home = /usr/bin\n',
      'venv/bin/python3': { link: real },
      'b/python3': { link: real },
    });
    const env = {
      PATH: [path.join(root, 'a'), path.join(root, 'venv/bin'), path.join(root, 'b')].join(
        path.delimiter,
      ),
      PYENV_ROOT: path.join(root, 'no-pyenv'),
      ONEVENV_UV: '',
    };
    const found = await discoverInterpreter(request('>=3.10'), { env });
    expect(found.rejected).toEqual([
      {
        path: path.join(root, 'a/python3.9'),
        version: '3.9',
        reason: 'does not satisfy requires-python >=3.10',
      },
      {
        path: path.join(root, 'venv/bin/python3'),
        version: undefined,
        reason: 'is a virtual environment',
      },
    ]);
    expect(found.chosen).toMatchObject({
      path: path.join(root, 'b/python3'),
      realPath: real,
      version,
      source: 'path',
    });
  });

  it('replaces the pyenv shims directory by the versions pyenv selects', async () => {
    const root = await layout({
      'pyenv/shims/python3': '#!/bin/sh\necho shim >&2\nexit 3\n',
      'pyenv/versions/9.9.9/bin/python3': { link: real },
    });
    const env = {
      PATH: path.join(root, 'pyenv/shims'),
      PYENV_ROOT: path.join(root, 'pyenv'),
      PYENV_VERSION: '9.9.9',
      ONEVENV_UV: '',
    };
    const found = await discoverInterpreter(request(undefined), { env, cwd: root });
    expect(found.chosen?.path).toBe(path.join(root, 'pyenv/versions/9.9.9/bin/python3'));
    expect(found.rejected).toEqual([]);
  });

  it('none fits: exit 2 naming requires-python, each interpreter found and why', async () => {
    const root = await layout({ 'b/python3': { link: real } });
    const text = '[project]\nname = "x"\nrequires-python = ">=3.99"\n';
    const error = await findInterpreter(
      {
        root,
        configDir: path.join(root, 'python'),
        requiresPython: '>=3.99',
        pythonInstall: false,
        text,
      },
      { env: { PATH: path.join(root, 'b'), PYENV_ROOT: path.join(root, 'none'), ONEVENV_UV: '' } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).location).toEqual({ file: 'python/pyproject.toml', line: 3 });
    expect((error as UserError).message).toBe(
      `no Python interpreter satisfies requires-python >=3.99 (install a matching Python (pyenv install, your package manager, or uv) and run again); found 1:\n  ${path.join(root, 'b/python3')} (${version}): does not satisfy requires-python >=3.99`,
    );
  });

  /** findInterpreter with only `b/python3` (the test's real Python) on PATH. */
  async function noneFits(
    files: Record<string, string>,
    requiresPython: string | undefined,
  ): Promise<{ location: unknown; message: string; root: string }> {
    const root = await layout({ 'b/python3': { link: real }, ...files });
    const text = `[project]\nname = "x"\n${requiresPython ? `requires-python = "${requiresPython}"\n` : ''}`;
    const error = await findInterpreter(
      { root, configDir: path.join(root, 'python'), requiresPython, pythonInstall: false, text },
      { env: { PATH: path.join(root, 'b'), PYENV_ROOT: path.join(root, 'none'), ONEVENV_UV: '' } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    return { location: (error as UserError).location, message: (error as UserError).message, root };
  }

  it('a .python-version pin nothing satisfies: the error names that file and the pin line', async () => {
    const fix =
      'install a matching Python (pyenv install, your package manager, or uv) and run again';
    const root = await noneFits({ '.python-version': '# for pyenv\n\n3.4\n' }, '>=3.10');
    expect([root.location, root.message]).toEqual([
      { file: '.python-version', line: 3 },
      `no Python interpreter satisfies requires-python >=3.10 and .python-version 3.4 (${fix}); found 1:\n  ${path.join(root.root, 'b/python3')} (${version}): does not match .python-version (3.4)`,
    ]);
    // python/.python-version comes first, and is named with its directory.
    const inPython = await noneFits(
      { 'python/.python-version': '3.4\n', '.python-version': `${version}\n` },
      '>=3.10',
    );
    expect([inPython.location, inPython.message]).toEqual([
      { file: 'python/.python-version', line: 1 },
      `no Python interpreter satisfies requires-python >=3.10 and python/.python-version 3.4 (${fix}); found 1:\n  ${path.join(inPython.root, 'b/python3')} (${version}): does not match .python-version (3.4)`,
    ]);
    // Without requires-python the pin is the only constraint.
    expect((await noneFits({ '.python-version': 'system\n3.4\n' }, undefined)).location).toEqual({
      file: '.python-version',
      line: 2,
    });
    // requires-python turned the interpreter away before the pin was looked at: its line.
    expect((await noneFits({ '.python-version': '3.4\n' }, '>=3.99')).location).toEqual({
      file: 'python/pyproject.toml',
      line: 3,
    });
  });
});
