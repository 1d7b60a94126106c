import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInVenv, pythonInvocations, runsFromVenv } from './commands.js';

const never = () => false;

describe('pythonInvocations on generated build commands', () => {
  it('finds the interpreter after `cd … &&`, resolving a relative program against the cd', () => {
    expect(
      pythonInvocations(
        'cd /repo/build && ../python/.venv/bin/python3 /repo/tools/gen.py',
        '/x',
        never,
      ),
    ).toEqual([
      {
        program: '../python/.venv/bin/python3',
        resolved: '/repo/python/.venv/bin/python3',
        text: '../python/.venv/bin/python3 /repo/tools/gen.py',
      },
    ]);
  });

  it('reports a bare interpreter as looked up on PATH', () => {
    expect(pythonInvocations('cd /b && python3 -m tool', '/b', never)).toEqual([
      { program: 'python3', resolved: undefined, text: 'python3 -m tool' },
    ]);
  });

  it('unwraps cmake -E env, env and wrappers; quoted arguments stay one word', () => {
    expect(
      pythonInvocations(
        'cd /b && /usr/bin/cmake -E env PYTHONPATH=/repo/lib --unset=X nice -n 5 /usr/bin/python3.12 "/repo/my tools/gen.py"',
        '/b',
        never,
      ),
    ).toEqual([
      {
        program: '/usr/bin/python3.12',
        resolved: '/usr/bin/python3.12',
        text: '/usr/bin/python3.12 /repo/my tools/gen.py',
      },
    ]);
    expect(
      pythonInvocations(
        'env -i PATH=/usr/bin FOO=1 timeout 30 /opt/py/bin/python x.py',
        '/b',
        never,
      ),
    ).toEqual([
      {
        program: '/opt/py/bin/python',
        resolved: '/opt/py/bin/python',
        text: '/opt/py/bin/python x.py',
      },
    ]);
  });

  it('follows cmake -E chdir and env -C for relative programs', () => {
    expect(
      pythonInvocations('/usr/bin/cmake -E chdir /repo/sub .venv/bin/python run.py', '/b', never)[0]
        ?.resolved,
    ).toBe('/repo/sub/.venv/bin/python');
    expect(pythonInvocations('env -C /repo venv/bin/python3 a.py', '/b', never)[0]?.resolved).toBe(
      '/repo/venv/bin/python3',
    );
  });

  it('reads the script of sh -c', () => {
    expect(
      pythonInvocations("/bin/sh -c 'cd /repo && scripts/.venv/bin/python3 index.py'", '/b', never),
    ).toEqual([
      {
        program: 'scripts/.venv/bin/python3',
        resolved: '/repo/scripts/.venv/bin/python3',
        text: 'scripts/.venv/bin/python3 index.py',
      },
    ]);
  });

  it('finds every interpreter of a chain, and none in compiler or cmake commands', () => {
    const line =
      'cd /b && /usr/bin/c++ -I/usr/include/python3.11 -o x.o -c x.cpp && /usr/bin/cmake -E copy a b && /usr/bin/python3 a.py; python b.py';
    expect(pythonInvocations(line, '/b', never).map((i) => i.program)).toEqual([
      '/usr/bin/python3',
      'python',
    ]);
    expect(pythonInvocations('cd /b && /usr/bin/cmake -E touch stamp', '/b', never)).toEqual([]);
  });

  it('counts a venv console script as running that venv', () => {
    const inVenv = (file: string) => file.startsWith('/repo/scripts/.venv/');
    expect(pythonInvocations('/repo/scripts/.venv/bin/pytest -q', '/b', inVenv)).toEqual([
      {
        program: '/repo/scripts/.venv/bin/pytest',
        resolved: '/repo/scripts/.venv/bin/pytest',
        text: '/repo/scripts/.venv/bin/pytest -q',
      },
    ]);
    expect(pythonInvocations('/usr/bin/pytest -q', '/b', inVenv)).toEqual([]);
  });

  it('ignores a program it cannot know', () => {
    expect(pythonInvocations('$PY gen.py', '/b', never)).toEqual([]);
  });
});

describe('runsFromVenv and isInVenv on a real directory tree', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-commands-')));
    await fs.mkdir(path.join(dir, 'repo/python/.venv/bin'), { recursive: true });
    await fs.writeFile(path.join(dir, 'repo/python/.venv/pyvenv.cfg'), 'home = /usr/bin\n');
    // The venv's python is a symlink to the base interpreter: its realpath leaves the venv.
    await fs.symlink('/usr/bin/env', path.join(dir, 'repo/python/.venv/bin/python3'));
    await fs.symlink(path.join(dir, 'repo'), path.join(dir, 'link'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('compares the program path, not its realpath', () => {
    const bin = path.join(dir, 'repo/python/.venv/bin');
    expect(runsFromVenv(path.join(bin, 'python3'), bin)).toBe(true);
    expect(runsFromVenv('/usr/bin/env', bin)).toBe(false);
  });

  it('sees the same venv through a symlinked parent directory', () => {
    const bin = path.join(dir, 'repo/python/.venv/bin');
    expect(runsFromVenv(path.join(dir, 'link/python/.venv/bin/python3'), bin)).toBe(true);
    expect(runsFromVenv(path.join(dir, 'link/python/.venv/bin/../../x/python3'), bin)).toBe(false);
  });

  it('knows a venv by its pyvenv.cfg', () => {
    expect(isInVenv(path.join(dir, 'repo/python/.venv/bin/tool'))).toBe(true);
    expect(isInVenv(path.join(dir, 'repo/python/tool'))).toBe(false);
  });
});
