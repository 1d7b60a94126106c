// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${NAME}.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectReferences, runRewriter } from '../../../test/helpers/rewrite.js';
import { runProcess } from '../../util/exec.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

/**
 * The bundled example, rewritten, configured and built by the real CMake and Ninja
 * against a venv at python/.venv that has pybind11 (installed by uv from PyPI). Every
 * Python target must run the venv's interpreter, and the extension module must be built
 * for the venv's ABI. The venv takes a Python of another minor version than `python3` on
 * PATH when the machine has one, so a module built for the wrong interpreter shows.
 */

const PYBIND11 = 'pybind11==3.1.0';
const example = new URL('../../../examples/telemetry-sim/', import.meta.url);
const LISTFILES = ['CMakeLists.txt', 'bindings/CMakeLists.txt'];
const TARGETS = [
  'doxygen-db',
  'python-db',
  'record-layers',
  'trace-git',
  'trace-symbols',
  'trace-decisions',
  'trace-record-mappings',
];

/** Neither an activated venv nor conda may steer what CMake finds. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.VIRTUAL_ENV;
  delete env.CONDA_PREFIX;
  delete env.PYTHONPATH;
  return env;
}

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const result = await runProcess(command, args, { cwd, env: cleanEnv(), timeoutMs: 280_000 });
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

async function extSuffix(python: string): Promise<string | undefined> {
  const script =
    'import sys, sysconfig, os; v = sys.version_info; ' +
    'h = os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")); ' +
    'print(sysconfig.get_config_var("EXT_SUFFIX") if v[0] == 3 and 10 <= v[1] <= 13 and h else "")';
  const result = await runProcess(python, ['-c', script], { env: cleanEnv(), timeoutMs: 30_000 });
  const suffix = result.code === 0 ? result.stdout.trim() : '';
  return suffix === '' ? undefined : suffix;
}

/** A Python with headers, of another minor version than python3 on PATH when there is one. */
async function venvBase(): Promise<string> {
  const onPath = await extSuffix('python3');
  const pyenv = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const installed = await fs.readdir(path.join(pyenv, 'versions')).catch(() => [] as string[]);
  const candidates = [
    ...['3.13', '3.12', '3.10'].map((v) => `python${v}`),
    ...installed
      .sort()
      .reverse()
      .map((v) => path.join(pyenv, 'versions', v, 'bin', 'python3')),
  ];
  for (const candidate of candidates) {
    const suffix = await extSuffix(candidate).catch(() => undefined);
    if (suffix !== undefined && suffix !== onPath) return candidate;
  }
  return 'python3';
}

describe('the rewritten bundled example, built by CMake and Ninja', () => {
  let root: string;
  let build: string;
  let python: string;

  beforeAll(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-cmake-build-')));
    await fs.cp(example, root, { recursive: true });
    const texts = await Promise.all(LISTFILES.map((f) => fs.readFile(path.join(root, f), 'utf8')));
    const references = LISTFILES.flatMap((f, i) => detectReferences(adapter, texts[i]!, f));
    for (const [i, file] of LISTFILES.entries()) {
      const rewritten = runRewriter(adapter, rewriter, texts[i]!, file, { facts: { references } });
      await fs.writeFile(path.join(root, file), rewritten.text);
    }
    const venv = path.join(root, 'python', '.venv');
    python = path.join(venv, 'bin', 'python3');
    await run('uv', ['venv', '--quiet', '--python', await venvBase(), venv], root);
    await run('uv', ['pip', 'install', '--quiet', '--python', python, PYBIND11], root);
    await run('cmake', ['--preset', 'debug'], root);
    build = path.join(root, 'build', 'debug');
    await run('cmake', ['--build', '--preset', 'debug'], root);
  });

  afterAll(async () => {
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('built exactly the rewritten listfiles', async () => {
    const top = await fs.readFile(path.join(root, 'CMakeLists.txt'), 'utf8');
    const golden = new URL('__fixtures__/telemetry-sim-CMakeLists.after.txt', import.meta.url);
    expect(top).toEqual(await fs.readFile(golden, 'utf8'));
  });

  it('runs <root>/python/.venv/bin/python3 in every custom target', async () => {
    const last: Record<string, string> = {};
    for (const target of TARGETS) {
      const lines = (await run('ninja', ['-C', build, '-t', 'commands', target], root))
        .trim()
        .split('\n');
      last[target] = lines[lines.length - 1]!;
    }
    const scripts = `${root}/scripts`;
    const db = `${build}/db`;
    expect(last).toEqual({
      'doxygen-db': `cd ${build} && ${python} ${scripts}/docs/doxygen_to_sqlite.py --source ${root}/include --output ${db}/doxygen.db`,
      'python-db': `cd ${build} && ${python} ${scripts}/docs/python_to_sqlite.py --source ${scripts} --output ${db}/python.db`,
      'record-layers': `cd ${build} && ${python} ${scripts}/codegen/generate_record_layers.py ${root}/records/records.json ${build}/generated/record_layers.hpp`,
      'trace-git': `cd ${build} && ${python} ${scripts}/traceability/trace_git.py --repo ${root} --db ${db}/traceability.db`,
      'trace-symbols': `cd ${build} && ${python} ${scripts}/traceability/trace_symbols.py --source ${root} --db ${db}/traceability.db`,
      'trace-decisions': `cd ${build} && ${python} ${scripts}/traceability/trace_decisions.py --decisions ${root}/docs/decisions --db ${db}/traceability.db`,
      'trace-record-mappings': `cd ${build} && ${python} ${scripts}/traceability/trace_record_mappings.py --records ${root}/records/records.json --db ${db}/traceability.db`,
    });
  });

  it('runs the standard-library targets with the venv', async () => {
    await run('ninja', ['-C', build, 'record-layers', 'python-db'], root);
    const header = await fs.readFile(path.join(build, 'generated', 'record_layers.hpp'), 'utf8');
    expect(header.length).toBeGreaterThan(0);
    await fs.access(path.join(build, 'db', 'python.db'));
  });

  it("records the venv's interpreter in the CMake cache", async () => {
    const cache = await fs.readFile(path.join(build, 'CMakeCache.txt'), 'utf8');
    const entries = cache
      .split('\n')
      .filter((line) => /^_?(?:Python3?|PYTHON|PYBIND11_PYTHON)_EXECUTABLE/.test(line))
      .sort();
    expect(entries).toEqual([
      `PYBIND11_PYTHON_EXECUTABLE_LAST:INTERNAL=${python}`,
      `_Python3_EXECUTABLE:INTERNAL=${python}`,
    ]);
  });

  it("builds msd_reader for the venv python's EXT_SUFFIX, and the venv imports it", async () => {
    const suffix = await extSuffix(python);
    expect(suffix).toMatch(/^\.cpython-31\d-/);
    const built = (await fs.readdir(path.join(build, 'python'))).filter((f) =>
      f.startsWith('msd_reader'),
    );
    expect(built).toEqual([`msd_reader${suffix}`]);
    const probe = await runProcess(
      python,
      ['-c', 'import msd_reader; print(msd_reader.__file__)'],
      {
        env: { ...cleanEnv(), PYTHONPATH: path.join(build, 'python') },
        timeoutMs: 30_000,
      },
    );
    expect(probe.stdout.trim()).toEqual(path.join(build, 'python', `msd_reader${suffix}`));
  });
});
