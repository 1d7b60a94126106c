// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${name}.
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, projectRoot, runCli, type TempRepo } from '../../../test/helpers/repo.js';
import type { CheckReport } from './types.js';

/**
 * `check --only cmake` against real CMake configurations: the fixture project's custom
 * target runs /usr/bin/python3, then the venv's interpreter.
 */

const fixture = path.join(projectRoot, 'test/fixtures/check/cmake-project');

async function check(repo: TempRepo, args: string[] = []) {
  const result = await runCli(['check', '--only', 'cmake', '--json', ...args], { cwd: repo.root });
  const stdout = result.stdout.split(repo.root).join('<root>');
  try {
    return { code: result.code, report: JSON.parse(stdout) as CheckReport };
  } catch {
    throw new Error(`no JSON on stdout (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

function configure(repo: TempRepo, dir: string, ...extra: string[]): void {
  execFileSync('cmake', ['-S', '.', '-B', dir, '-G', 'Ninja', ...extra], {
    cwd: repo.root,
    stdio: 'ignore',
  });
}

const unified = [
  'cmake_minimum_required(VERSION 3.20)',
  'project(check_fixture NONE)',
  '',
  'set(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)',
  '',
  'add_custom_target(codegen',
  '  COMMAND ${PROJECT_PYTHON} ${CMAKE_SOURCE_DIR}/tools/gen.py',
  '  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}',
  '  VERBATIM',
  ')',
  '',
].join('\n');

const staticFailure = {
  id: 'cmake:CMakeLists.txt#target codegen',
  kind: 'cmake',
  target: 'target codegen (CMakeLists.txt)',
  ok: false,
  detail: 'CMakeLists.txt:5 /usr/bin/python3: runs system interpreter',
  fix: 'run Python through ${PROJECT_PYTHON}, set once to ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3 (onevenv adopt --write makes the edit)',
};

const staticPass = [
  {
    id: 'cmake:CMakeLists.txt#CMakeLists.txt',
    kind: 'cmake',
    target: 'CMakeLists.txt',
    ok: true,
    detail: '1 Python reference, all on python/.venv',
  },
  {
    id: 'cmake:CMakeLists.txt#target codegen',
    kind: 'cmake',
    target: 'target codegen (CMakeLists.txt)',
    ok: true,
    detail: '1 Python reference, all on python/.venv',
  },
];

const emptyCache = {
  id: 'cmake:build#cache',
  kind: 'cmake',
  target: 'build/CMakeCache.txt',
  ok: true,
  detail: 'no Python interpreter in the cache',
};

describe('onevenv check --only cmake on a real build directory', () => {
  let repo: TempRepo;

  beforeAll(async () => {
    const files: Record<string, string> = {
      'python/pyproject.toml': '[project]\nname = "cmake-check"\nversion = "0"\n',
      '.gitignore': 'build/\npython/.venv/\n',
    };
    files['CMakeLists.txt'] = await fs.readFile(path.join(fixture, 'CMakeLists.txt'), 'utf8');
    files['tools/gen.py'] = await fs.readFile(path.join(fixture, 'tools/gen.py'), 'utf8');
    repo = await makeRepo(files, { git: true });
  });
  afterAll(() => repo.cleanup());

  it('without a build directory: the static check, and the build commands not checked', async () => {
    const { code, report } = await check(repo);
    expect(report).toEqual({
      ok: false,
      checks: [
        staticFailure,
        {
          id: 'cmake:build',
          kind: 'cmake',
          target: 'build commands',
          ok: true,
          detail:
            'no build directory with a CMakeCache.txt (presets binaryDir, build/, build/*); --build-dir names one, --configure makes a fresh one',
          skipped: true,
        },
      ],
    });
    expect(code).toBe(1);
  });

  it('a custom target running /usr/bin/python3 fails the dynamic check, naming the line to change', async () => {
    configure(repo, 'build');
    const { code, report } = await check(repo);
    expect(report).toEqual({
      ok: false,
      checks: [
        staticFailure,
        emptyCache,
        {
          id: 'cmake:build#target codegen',
          kind: 'cmake',
          target: 'build: target codegen',
          ok: false,
          detail:
            'runs /usr/bin/python3, not python/.venv/bin/python: /usr/bin/python3 <root>/tools/gen.py',
          fix: 'run it with ${PROJECT_PYTHON} at CMakeLists.txt:5 (onevenv adopt --write makes the edit), then reconfigure: cmake -S . -B build',
        },
      ],
    });
    expect(code).toBe(1);
  });

  it('listfiles moved to the venv but the build directory not reconfigured: says so', async () => {
    await repo.write('CMakeLists.txt', unified);
    const { code, report } = await check(repo);
    expect(report).toEqual({
      ok: false,
      checks: [
        ...staticPass,
        emptyCache,
        {
          id: 'cmake:build#target codegen',
          kind: 'cmake',
          target: 'build: target codegen',
          ok: false,
          detail:
            'runs /usr/bin/python3, not python/.venv/bin/python: /usr/bin/python3 <root>/tools/gen.py',
          fix: 'the build directory predates the listfiles: reconfigure with cmake -S . -B build',
        },
      ],
    });
    expect(code).toBe(1);
  });

  it('passes once the target runs the venv python', async () => {
    configure(repo, 'build');
    const { code, report } = await check(repo);
    expect(report).toEqual({
      ok: true,
      checks: [
        ...staticPass,
        emptyCache,
        {
          id: 'cmake:build#target codegen',
          kind: 'cmake',
          target: 'build: target codegen',
          ok: true,
          detail: 'runs python/.venv/bin/python3',
        },
      ],
    });
    expect(code).toBe(0);
  });

  it("the cache's Python3_EXECUTABLE must be the venv's", async () => {
    configure(repo, 'build', '-DPython3_EXECUTABLE=/usr/bin/python3');
    const { code, report } = await check(repo);
    expect(report.checks.find((c) => c.id === 'cmake:build#cache')).toEqual({
      id: 'cmake:build#cache',
      kind: 'cmake',
      target: 'build/CMakeCache.txt',
      ok: false,
      detail: 'Python3_EXECUTABLE=/usr/bin/python3 is not python/.venv/bin/python',
      fix: 'cmake -S . -B build -DPython3_EXECUTABLE=<root>/python/.venv/bin/python',
    });
    expect(code).toBe(1);
    configure(repo, 'build', `-DPython3_EXECUTABLE=${repo.root}/python/.venv/bin/python3`);
    const fixed = await check(repo);
    expect(fixed.report.checks.find((c) => c.id === 'cmake:build#cache')).toEqual({
      id: 'cmake:build#cache',
      kind: 'cmake',
      target: 'build/CMakeCache.txt',
      ok: true,
      detail: "Python3_EXECUTABLE is the venv's interpreter",
    });
    expect(fixed.code).toBe(0);
  });

  it('--configure reads a fresh configuration in a temporary directory, and removes it', async () => {
    const before = (await fs.readdir(os.tmpdir())).filter((n) =>
      n.startsWith('onevenv-check-build-'),
    );
    const { code, report } = await check(repo, ['--configure']);
    expect(report).toEqual({
      ok: true,
      checks: [
        ...staticPass,
        {
          id: 'cmake:configured build (--configure)#cache',
          kind: 'cmake',
          target: 'configured build (--configure): CMakeCache.txt',
          ok: true,
          detail: 'no Python interpreter in the cache',
        },
        {
          id: 'cmake:configured build (--configure)#target codegen',
          kind: 'cmake',
          target: 'configured build (--configure): target codegen',
          ok: true,
          detail: 'runs python/.venv/bin/python3',
        },
      ],
    });
    expect(code).toBe(0);
    const after = (await fs.readdir(os.tmpdir())).filter((n) =>
      n.startsWith('onevenv-check-build-'),
    );
    expect(after.filter((n) => !before.includes(n))).toEqual([]);
  });

  it('finds a preset binaryDir; a Makefiles build directory is read for its cache only', async () => {
    await fs.rm(path.join(repo.root, 'build'), { recursive: true });
    await repo.write(
      'CMakePresets.json',
      JSON.stringify({
        version: 3,
        configurePresets: [
          { name: 'dev', generator: 'Ninja', binaryDir: '${sourceDir}/out/${presetName}' },
        ],
      }),
    );
    execFileSync('cmake', ['--preset', 'dev'], { cwd: repo.root, stdio: 'ignore' });
    execFileSync('cmake', ['-S', '.', '-B', 'build/make', '-G', 'Unix Makefiles'], {
      cwd: repo.root,
      stdio: 'ignore',
    });
    const { code, report } = await check(repo);
    expect(report).toEqual({
      ok: true,
      checks: [
        ...staticPass,
        {
          id: 'cmake:build/make#cache',
          kind: 'cmake',
          target: 'build/make/CMakeCache.txt',
          ok: true,
          detail: 'no Python interpreter in the cache',
        },
        {
          id: 'cmake:build/make#commands',
          kind: 'cmake',
          target: 'build/make: build commands',
          ok: true,
          detail:
            'not read: the Unix Makefiles generator (the command check reads Ninja builds; --configure makes one)',
          skipped: true,
        },
        {
          id: 'cmake:out/dev#cache',
          kind: 'cmake',
          target: 'out/dev/CMakeCache.txt',
          ok: true,
          detail: 'no Python interpreter in the cache',
        },
        {
          id: 'cmake:out/dev#target codegen',
          kind: 'cmake',
          target: 'out/dev: target codegen',
          ok: true,
          detail: 'runs python/.venv/bin/python3',
        },
      ],
    });
    expect(code).toBe(0);
    // --build-dir replaces the search.
    const only = await check(repo, ['--build-dir', 'out/dev']);
    expect(only.report.checks.map((c) => c.id)).toEqual([
      'cmake:CMakeLists.txt#CMakeLists.txt',
      'cmake:CMakeLists.txt#target codegen',
      'cmake:out/dev#cache',
      'cmake:out/dev#target codegen',
    ]);
  });
});

describe('onevenv check --configure on a project that does not configure', () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': '[project]\nname = "broken"\nversion = "0"\n',
        'CMakeLists.txt': [
          'cmake_minimum_required(VERSION 3.20)',
          'project(broken NONE)',
          'message(FATAL_ERROR "Catch2 3 is required")',
          '',
        ].join('\n'),
      },
      { git: true },
    );
  });
  afterAll(() => repo.cleanup());

  it("fails with cmake's own error", async () => {
    const { code, report } = await check(repo, ['--configure']);
    expect(report).toEqual({
      ok: false,
      checks: [
        {
          id: 'cmake:configure',
          kind: 'cmake',
          target: 'configured build (--configure)',
          ok: false,
          detail: [
            'cmake failed to configure the project:',
            'CMake Error at CMakeLists.txt:3 (message):',
            '  Catch2 3 is required',
          ].join('\n'),
          fix: 'make cmake -S . -B build -G Ninja configure (install what it reports missing), or check an existing build directory with --build-dir',
        },
      ],
    });
    expect(code).toBe(1);
  });
});
