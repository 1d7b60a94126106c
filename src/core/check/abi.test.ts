import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, projectRoot, runCli, type TempRepo } from '../../../test/helpers/repo.js';
import { systemPython } from '../../../test/helpers/wheelhouse.js';
import { describeTag, parseModuleFile } from './abi.js';
import type { CheckReport } from './types.js';

describe('extension module names', () => {
  it('splits name, tag and extension; other files are not modules', () => {
    expect(parseModuleFile('/b/msd_reader.cpython-312-x86_64-linux-gnu.so')).toEqual({
      file: '/b/msd_reader.cpython-312-x86_64-linux-gnu.so',
      name: 'msd_reader',
      tag: 'cpython-312-x86_64-linux-gnu',
      extension: '.so',
    });
    expect(parseModuleFile('/b/fast.cp311-win_amd64.pyd')?.tag).toBe('cp311-win_amd64');
    expect(parseModuleFile('/b/plain.so')).toEqual({
      file: '/b/plain.so',
      name: 'plain',
      tag: undefined,
      extension: '.so',
    });
    expect(parseModuleFile('/b/libfoo.so.1')).toBeUndefined();
    expect(parseModuleFile('/b/a.b.c.so')).toBeUndefined();
    expect(parseModuleFile('/b/x.dylib')).toBeUndefined();
  });

  it('describes tags as people name interpreters', () => {
    expect(describeTag('cpython-312-x86_64-linux-gnu')).toBe('CPython 3.12 (x86_64-linux-gnu)');
    expect(describeTag('cpython-313t-darwin')).toBe('CPython 3.13t (darwin)');
    expect(describeTag('cp311-win_amd64')).toBe('CPython 3.11 (win_amd64)');
    expect(describeTag('pypy310-pp73-x86_64-linux-gnu')).toBe('PyPy 3.10 (x86_64-linux-gnu)');
    expect(describeTag('abi3')).toBe('the stable ABI (abi3)');
  });
});

interface PythonFacts {
  executable: string;
  version: string;
  include: string;
  extSuffix: string;
  libdir: string;
  ldlibrary: string;
}

function facts(python: string): PythonFacts {
  const script = [
    'import sys, sysconfig, json',
    'print(json.dumps({"executable": sys.executable, "version": "%d.%d" % sys.version_info[:2],',
    ' "include": sysconfig.get_paths()["include"], "extSuffix": sysconfig.get_config_var("EXT_SUFFIX"),',
    ' "libdir": sysconfig.get_config_var("LIBDIR") or "", "ldlibrary": sysconfig.get_config_var("LDLIBRARY") or ""}))',
  ].join('\n');
  return JSON.parse(execFileSync(python, ['-c', script], { encoding: 'utf8' })) as PythonFacts;
}

/** Another CPython of the machine (pyenv's versions), one with headers: 3.12 when there is one. */
function foreignPython(venvVersion: string): PythonFacts {
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const versions = existsSync(path.join(root, 'versions'))
    ? readdirSync(path.join(root, 'versions')).sort((a, b) =>
        a.startsWith('3.12') ? -1 : b.startsWith('3.12') ? 1 : 0,
      )
    : [];
  for (const version of versions) {
    const bin = path.join(root, 'versions', version, 'bin');
    const python = ['python3', 'python'].map((n) => path.join(bin, n)).find((p) => existsSync(p));
    if (!python) continue;
    try {
      const found = facts(python);
      if (
        found.version !== venvVersion &&
        /^3\./.test(found.version) &&
        existsSync(path.join(found.include, 'Python.h'))
      ) {
        return found;
      }
    } catch {
      // not a working interpreter
    }
  }
  throw new Error(`no CPython other than ${venvVersion} with headers under ${root}/versions`);
}

const source = path.join(projectRoot, 'test/fixtures/check/extension/demo_ext.c');

function compile(python: PythonFacts, name: string, output: string, extra: string[] = []): void {
  execFileSync(
    'cc',
    [
      '-shared',
      '-fPIC',
      '-O0',
      `-I${python.include}`,
      `-DMODULE_NAME=${name}`,
      source,
      '-o',
      output,
      ...extra,
    ],
    { stdio: 'pipe' },
  );
}

describe('onevenv check --only abi on modules built by the system compiler', () => {
  let repo: TempRepo;
  let venv: PythonFacts;
  let foreign: PythonFacts;
  const lib = 'build/lib';

  beforeAll(async () => {
    repo = await makeRepo(
      {
        'CMakeLists.txt': 'cmake_minimum_required(VERSION 3.20)\nproject(abi_fixture NONE)\n',
        'python/pyproject.toml': [
          '[project]',
          'name = "abi-check"',
          'version = "0"',
          '',
          '[tool.onevenv]',
          'paths = ["../build/lib", "../vendor"]',
          '',
        ].join('\n'),
        '.gitignore': 'build/\npython/.venv/\n',
        'helper.c': 'int helper(void) { return 1; }\n',
      },
      { git: true },
    );
    execFileSync('cmake', ['-S', '.', '-B', 'build', '-G', 'Ninja'], {
      cwd: repo.root,
      stdio: 'ignore',
    });
    execFileSync(systemPython, [
      '-m',
      'venv',
      '--without-pip',
      path.join(repo.root, 'python/.venv'),
    ]);
    venv = facts(path.join(repo.root, 'python/.venv/bin/python'));
    foreign = foreignPython(venv.version);
    const at = (file: string) => path.join(repo.root, file);
    await fs.mkdir(at(lib), { recursive: true });
    await fs.mkdir(at('vendor'), { recursive: true });
    compile(venv, 'good_ext', at(`${lib}/good_ext${venv.extSuffix}`));
    compile(foreign, 'demo_ext', at(`${lib}/demo_ext${foreign.extSuffix}`));
    compile(foreign, 'old_ext', at(`vendor/old_ext${foreign.extSuffix}`));
    compile(venv, 'plain_ext', at(`${lib}/plain_ext.so`));
    // Linked against the other interpreter's libpython: its version decides.
    const libpython = foreign.ldlibrary.endsWith('.so')
      ? ['-L', foreign.libdir, `-l${foreign.ldlibrary.replace(/^lib|\.so$/g, '')}`]
      : [];
    if (libpython.length === 0) {
      // A static-only build: a shared library with the same name stands in, as the linker sees it.
      const name = `libpython${foreign.version}.so`;
      execFileSync('cc', [
        '-shared',
        '-fPIC',
        at('helper.c'),
        `-Wl,-soname,${name}`,
        '-o',
        at(`vendor/${name}`),
      ]);
      libpython.push('-L', at('vendor'), `-lpython${foreign.version}`);
    }
    compile(foreign, 'linked_ext', at(`${lib}/linked_ext.so`), [
      '-Wl,--no-as-needed',
      ...libpython,
    ]);
    // A plain shared library is not an extension module.
    execFileSync('cc', ['-shared', '-fPIC', at('helper.c'), '-o', at(`${lib}/libhelper.so`)]);
  });
  afterAll(() => repo.cleanup());

  it('reports a module built for another ABI with the reconfigure command', async () => {
    const result = await runCli(['check', '--only', 'abi', '--json'], { cwd: repo.root });
    const report = JSON.parse(result.stdout.split(repo.root).join('<root>')) as CheckReport;
    const foreignTag = foreign.extSuffix.slice(1, -3);
    const venvTag = venv.extSuffix.slice(1, -3);
    const platform = foreignTag.split('-').slice(2).join('-');
    const venvRuns = `CPython ${venv.version} (${venv.extSuffix})`;
    const builtFor = `CPython ${foreign.version} (${platform})`;
    expect(report).toEqual({
      ok: false,
      checks: [
        {
          id: `abi:${lib}/demo_ext${foreign.extSuffix}`,
          kind: 'abi',
          target: `${lib}/demo_ext${foreign.extSuffix}`,
          ok: false,
          detail: `demo_ext: built for ${builtFor}; the venv runs ${venvRuns}`,
          fix: "rebuild it for the venv's interpreter: cmake -S . -B build -DPython3_EXECUTABLE=<root>/python/.venv/bin/python && cmake --build build",
        },
        {
          id: `abi:${lib}/good_ext${venv.extSuffix}`,
          kind: 'abi',
          target: `${lib}/good_ext${venv.extSuffix}`,
          ok: true,
          detail: `good_ext: built for ${describeTag(venvTag)}, the venv's ABI`,
        },
        {
          id: `abi:${lib}/linked_ext.so`,
          kind: 'abi',
          target: `${lib}/linked_ext.so`,
          ok: false,
          detail: `linked_ext: untagged, links libpython${foreign.version}; the venv runs ${venvRuns}`,
          fix: "rebuild it for the venv's interpreter: cmake -S . -B build -DPython3_EXECUTABLE=<root>/python/.venv/bin/python && cmake --build build",
        },
        {
          id: `abi:${lib}/plain_ext.so`,
          kind: 'abi',
          target: `${lib}/plain_ext.so`,
          ok: true,
          detail: `plain_ext: untagged (plain_ext.so): cannot tell which Python it was built for; name it with the venv's suffix ${venv.extSuffix} (pybind11_add_module and Python3_add_library(... WITH_SOABI) do)`,
          warning: true,
        },
        {
          id: `abi:vendor/old_ext${foreign.extSuffix}`,
          kind: 'abi',
          target: `vendor/old_ext${foreign.extSuffix}`,
          ok: false,
          detail: `old_ext: built for ${builtFor}; the venv runs ${venvRuns}`,
          fix: "rebuild it for the venv's interpreter: cmake -S . -B <build dir> -DPython3_EXECUTABLE=<root>/python/.venv/bin/python && cmake --build <build dir>",
        },
      ],
    });
    expect(result.code).toBe(1);
    // The module the venv's interpreter accepts really loads there (the check's premise).
    const loaded = execFileSync(
      path.join(repo.root, 'python/.venv/bin/python'),
      ['-c', 'import good_ext; print(good_ext.answer())'],
      { cwd: path.join(repo.root, lib), encoding: 'utf8' },
    );
    expect(loaded).toBe('42\n');
  });

  it('passes once the mismatched modules are rebuilt for the venv', async () => {
    const at = (file: string) => path.join(repo.root, file);
    await fs.rm(at(`${lib}/demo_ext${foreign.extSuffix}`));
    await fs.rm(at(`vendor/old_ext${foreign.extSuffix}`));
    await fs.rm(at(`${lib}/linked_ext.so`));
    compile(venv, 'demo_ext', at(`${lib}/demo_ext${venv.extSuffix}`));
    await fs.copyFile(at(`${lib}/good_ext${venv.extSuffix}`), at('vendor/stable_ext.abi3.so'));
    const result = await runCli(['check', '--only', 'abi', '--json'], { cwd: repo.root });
    const report = JSON.parse(result.stdout) as CheckReport;
    expect(report.checks.map((c) => [c.target, c.ok, c.warning === true])).toEqual([
      [`${lib}/demo_ext${venv.extSuffix}`, true, false],
      [`${lib}/good_ext${venv.extSuffix}`, true, false],
      [`${lib}/plain_ext.so`, true, true],
      ['vendor/stable_ext.abi3.so', true, false],
    ]);
    expect(result.code).toBe(0);
  });
});
