// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${NAME}.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adoptFacts,
  detectReferences,
  expectRewriteSettled,
  type RewriteRun,
  runRewriter,
} from '../../../test/helpers/rewrite.js';
import type { AdoptFacts } from '../../core/adopt/types.js';
import { adapter } from './index.js';
import { parseCMake } from './parse.js';
import { rewriter } from './rewrite.js';

const repo = new URL('../../../', import.meta.url);

function read(path: string): string {
  return readFileSync(new URL(path, repo), 'utf8');
}

function rewrite(
  text: string,
  file = 'CMakeLists.txt',
  facts: Partial<AdoptFacts> = {},
): RewriteRun {
  return runRewriter(adapter, rewriter, text, file, {
    facts: { replacedVenvs: ['scripts/.venv'], ...facts },
  });
}

/** Every reference is on the unified venv or gone, skipped ones apart; a second run changes nothing. */
function expectSettled(
  run: RewriteRun,
  file = 'CMakeLists.txt',
  facts: Partial<AdoptFacts> = {},
): void {
  expectRewriteSettled(run, (text) => rewrite(text, file, facts));
}

const DEFINE = [
  '# Every Python target runs the project venv (python/setup.sh creates it).',
  'set(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)',
];
const MISSING = 'message(WARNING "python/.venv is missing: run python/setup.sh")';

describe('cmake rewriter on the seed ticket and the bundled example', () => {
  it('moves the seed CMakeLists.txt onto ${PROJECT_PYTHON}', () => {
    const run = rewrite(read('test/fixtures/seed-before/CMakeLists.txt'));
    expect(run.text).toEqual(read('src/adapters/cmake/__fixtures__/seed-CMakeLists.after.txt'));
    expect(run.result.skipped).toEqual([]);
    expect(run.result.notes).toEqual([
      'line 189: a comment still names the old venv; update it by hand',
    ]);
    expect([...new Set(run.result.edits.map((e) => e.reason))]).toEqual([
      'PROJECT_PYTHON set to python/.venv/bin/python3',
      'find_package(Python3) removed: ${PROJECT_PYTHON} is the interpreter',
      'Python3_FOUND → EXISTS ${PROJECT_PYTHON}',
      '${Python3_EXECUTABLE} → ${PROJECT_PYTHON}',
      'else(): say to run python/setup.sh when python/.venv is missing',
      'set(TRACE_VENV) removed: its uses run ${PROJECT_PYTHON}',
      '${TRACE_VENV} → ${PROJECT_PYTHON}',
    ]);
    expect(run.after.map((r) => [r.line, r.kind, r.text, r.environment, r.consumer])).toEqual([
      [
        10,
        'venv-variable',
        '${CMAKE_SOURCE_DIR}/python/.venv/bin/python3',
        'python/.venv',
        'CMake CMakeLists.txt',
      ],
      [157, 'venv-variable', '${PROJECT_PYTHON}', 'python/.venv', 'CMake CMakeLists.txt'],
      [162, 'python-command', '${PROJECT_PYTHON}', 'python/.venv', 'CMake target doxygen-db'],
      [174, 'python-command', '${PROJECT_PYTHON}', 'python/.venv', 'CMake target python-db'],
      [200, 'python-command', '${PROJECT_PYTHON}', 'python/.venv', 'CMake target trace-git'],
      [206, 'python-command', '${PROJECT_PYTHON}', 'python/.venv', 'CMake target trace-symbols'],
      [212, 'python-command', '${PROJECT_PYTHON}', 'python/.venv', 'CMake target trace-decisions'],
      [
        218,
        'python-command',
        '${PROJECT_PYTHON}',
        'python/.venv',
        'CMake target trace-record-mappings',
      ],
    ]);
    expectSettled(run);
  });

  it('points the seed pybind11 module at the venv and keeps its find_package', () => {
    const file = 'msd/msd-reader/CMakeLists.txt';
    const before = read(`test/fixtures/seed-before/${file}`);
    const run = rewrite(before, file);
    expect(run.text).toEqual(
      before.replace(
        'find_package(Python3 COMPONENTS Interpreter Development REQUIRED)',
        'set(Python3_EXECUTABLE ${PROJECT_PYTHON})\nfind_package(Python3 COMPONENTS Interpreter Development REQUIRED)',
      ),
    );
    expect(run.result).toEqual({
      edits: [
        {
          start: 86,
          end: 86,
          replacement: 'set(Python3_EXECUTABLE ${PROJECT_PYTHON})\n',
          reason:
            'find_package(Python3) builds for python/.venv: Python3_EXECUTABLE set to ${PROJECT_PYTHON}',
        },
      ],
      skipped: [],
      notes: [],
    });
    expect(run.after.map((r) => [r.kind, r.text, r.environment])).toEqual([
      ['venv-variable', '${PROJECT_PYTHON}', 'python/.venv'],
      [
        'find-package',
        'find_package(Python3 COMPONENTS Interpreter Development REQUIRED)',
        'python/.venv',
      ],
      ['find-package', 'find_package(pybind11 CONFIG REQUIRED)', 'python/.venv'],
    ]);
    expectSettled(run, file);
  });

  it('moves the bundled example top-level CMakeLists.txt onto ${PROJECT_PYTHON}', () => {
    const run = rewrite(read('examples/telemetry-sim/CMakeLists.txt'));
    expect(run.text).toEqual(
      read('src/adapters/cmake/__fixtures__/telemetry-sim-CMakeLists.after.txt'),
    );
    expect(run.result.skipped).toEqual([]);
    expect(run.after.filter((r) => !r.unified)).toEqual([]);
    expect(run.after.filter((r) => r.kind === 'python-command').map((r) => r.consumer)).toEqual([
      'CMake target doxygen-db',
      'CMake target python-db',
      'CMake target record-layers',
      'CMake target trace-git',
      'CMake target trace-symbols',
      'CMake target trace-decisions',
      'CMake target trace-record-mappings',
    ]);
    expectSettled(run);
  });

  it('builds the bundled example module for the venv and runs pybind11 from it', () => {
    const file = 'bindings/CMakeLists.txt';
    const before = read(`examples/telemetry-sim/${file}`);
    const run = rewrite(before, file);
    expect(run.text).toEqual(`# The replay server reads telemetry through this module.
set(Python3_EXECUTABLE \${PROJECT_PYTHON})
find_package(Python3 COMPONENTS Interpreter Development.Module)
if(Python3_FOUND)
  execute_process(
    COMMAND \${PROJECT_PYTHON} -m pybind11 --cmakedir
    OUTPUT_VARIABLE pybind11_DIR
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET)
  find_package(pybind11 CONFIG)
endif()

if(pybind11_FOUND)
  pybind11_add_module(msd_reader msd_reader.cpp)
  target_link_libraries(msd_reader PRIVATE msd_core)
  set_target_properties(msd_reader PROPERTIES LIBRARY_OUTPUT_DIRECTORY \${CMAKE_BINARY_DIR}/python)
else()
  message(STATUS "pybind11 not found for \${Python3_EXECUTABLE}: msd_reader is not built")
endif()
`);
    expect(run.result.skipped).toEqual([]);
    expect(run.after.filter((r) => !r.unified)).toEqual([]);
    expectSettled(run, file);
  });
});

describe('cmake rewriter: PROJECT_PYTHON in the top-level CMakeLists.txt', () => {
  it('offers the top-level CMakeLists.txt whenever a listfile names a Python', () => {
    const references = detectReferences(
      adapter,
      'add_custom_target(doc COMMAND ${Python3_EXECUTABLE} doc.py)\n',
      'tools/CMakeLists.txt',
    );
    expect(rewriter.extraFiles?.(adoptFacts({ references }))).toEqual(['CMakeLists.txt']);
    expect(rewriter.extraFiles?.(adoptFacts())).toEqual([]);
  });

  it('a subdirectory listfile uses ${PROJECT_PYTHON}; the top-level one sets it before add_subdirectory()', () => {
    const sub = 'add_custom_target(doc COMMAND ${Python3_EXECUTABLE} doc.py)\n';
    const references = detectReferences(adapter, sub, 'tools/CMakeLists.txt');
    const subRun = rewrite(sub, 'tools/CMakeLists.txt', { references });
    expect(subRun.text).toEqual('add_custom_target(doc COMMAND ${PROJECT_PYTHON} doc.py)\n');
    expect(subRun.after.map((r) => [r.text, r.environment])).toEqual([
      ['${PROJECT_PYTHON}', 'python/.venv'],
    ]);

    const top = 'cmake_minimum_required(VERSION 3.20)\nproject(x)\nadd_subdirectory(tools)\n';
    const topRun = rewrite(top, 'CMakeLists.txt', { references });
    expect(topRun.text).toEqual(
      [
        'cmake_minimum_required(VERSION 3.20)',
        'project(x)',
        '',
        ...DEFINE,
        '',
        'add_subdirectory(tools)',
        '',
      ].join('\n'),
    );
    expect(topRun.result.notes).toEqual([]);
    // Once the subdirectory is moved, nothing more to do anywhere.
    const moved = detectReferences(adapter, subRun.text, 'tools/CMakeLists.txt');
    expect(rewrite(topRun.text, 'CMakeLists.txt', { references: moved }).result.edits).toEqual([]);
  });

  it('sets it before the first use when that comes before project(), outside any block', () => {
    const text = [
      'cmake_minimum_required(VERSION 3.20)',
      'if(WITH_DOCS)',
      '  add_custom_target(doc COMMAND python3 doc.py)',
      'endif()',
      'project(x)',
      '',
    ].join('\n');
    const run = rewrite(text);
    expect(run.text).toEqual(
      [
        'cmake_minimum_required(VERSION 3.20)',
        '',
        ...DEFINE,
        '',
        'if(WITH_DOCS)',
        '  add_custom_target(doc COMMAND ${PROJECT_PYTHON} doc.py)',
        'endif()',
        'project(x)',
        '',
      ].join('\n'),
    );
    expectSettled(run);
  });

  it('without project() it goes after cmake_minimum_required()', () => {
    const run = rewrite(
      'cmake_minimum_required(VERSION 3.20)\nadd_test(NAME t COMMAND python3 -m pytest)\n',
    );
    expect(run.text).toEqual(
      [
        'cmake_minimum_required(VERSION 3.20)',
        '',
        ...DEFINE,
        '',
        'add_test(NAME t COMMAND ${PROJECT_PYTHON} -m pytest)',
        '',
      ].join('\n'),
    );
    expectSettled(run);
  });

  it('says what to do when the repository has no top-level CMakeLists.txt', () => {
    const references = detectReferences(
      adapter,
      'add_custom_target(doc COMMAND ${Python3_EXECUTABLE} doc.py)\n',
      'cpp/CMakeLists.txt',
    );
    const run = runRewriter(adapter, rewriter, '', 'CMakeLists.txt', {
      facts: { references },
      exists: false,
    });
    expect(run.result).toEqual({
      edits: [],
      skipped: [],
      notes: [
        'no CMakeLists.txt at the repository root: add set(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3) to the top-level CMakeLists.txt, before its add_subdirectory() calls',
      ],
    });
  });

  it('rewrites a PROJECT_PYTHON that names another venv, and adds no second one', () => {
    const text = [
      'project(x)',
      'set(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3)',
      'add_custom_target(doc COMMAND ${PROJECT_PYTHON} doc.py)',
      '',
    ].join('\n');
    const run = rewrite(text);
    expect(run.text).toEqual(text.replace('scripts/.venv', 'python/.venv'));
    expectSettled(run);
  });
});

describe('cmake rewriter: find_package and its conditions', () => {
  it('keeps an existing else() branch and adds the warning to it', () => {
    const text = [
      'project(x)',
      'find_package(Python3)',
      'if(Python3_FOUND)',
      '    add_custom_target(doc COMMAND ${Python3_EXECUTABLE} doc.py)',
      'else()',
      '    message(STATUS "no Python: no docs")',
      'endif()',
      '',
    ].join('\n');
    const run = rewrite(text);
    expect(run.text).toEqual(
      [
        'project(x)',
        '',
        ...DEFINE,
        '',
        'if(EXISTS ${PROJECT_PYTHON})',
        '    add_custom_target(doc COMMAND ${PROJECT_PYTHON} doc.py)',
        'else()',
        `    ${MISSING}`,
        '    message(STATUS "no Python: no docs")',
        'endif()',
        '',
      ].join('\n'),
    );
    expectSettled(run);
  });

  it('turns a REQUIRED interpreter-only find_package into a check that stops configuring', () => {
    const text = [
      'project(x)',
      '',
      '  find_package(Python3 3.10 REQUIRED COMPONENTS Interpreter)',
      'add_custom_target(gen COMMAND Python3::Interpreter gen.py)',
      'if(TARGET Python3::Interpreter AND BUILD_DOCS)',
      'endif()',
      '',
    ].join('\n');
    const run = rewrite(text);
    expect(run.text).toEqual(
      [
        'project(x)',
        '',
        ...DEFINE,
        '',
        '  if(NOT EXISTS ${PROJECT_PYTHON})',
        '    message(FATAL_ERROR "python/.venv is missing: run python/setup.sh")',
        '  endif()',
        'add_custom_target(gen COMMAND ${PROJECT_PYTHON} gen.py)',
        'if(EXISTS ${PROJECT_PYTHON} AND BUILD_DOCS)',
        'endif()',
        '',
      ].join('\n'),
    );
    expectSettled(run);
  });

  it('keeps and hints a find_package whose other results the file reads', () => {
    const text = [
      'project(x)',
      'find_package(Python3 COMPONENTS Interpreter)',
      'message(STATUS "Python ${Python3_VERSION}")',
      'add_custom_target(doc COMMAND ${Python3_EXECUTABLE} doc.py)',
      '',
    ].join('\n');
    const run = rewrite(text);
    expect(run.text).toEqual(
      [
        'project(x)',
        '',
        ...DEFINE,
        '',
        'set(Python3_EXECUTABLE ${PROJECT_PYTHON})',
        'find_package(Python3 COMPONENTS Interpreter)',
        'message(STATUS "Python ${Python3_VERSION}")',
        'add_custom_target(doc COMMAND ${PROJECT_PYTHON} doc.py)',
        '',
      ].join('\n'),
    );
    expectSettled(run);
  });

  it('hints pybind11 for both of its modes when no Python was found before it', () => {
    const file = 'bindings/CMakeLists.txt';
    const text =
      'if(WITH_BINDINGS)\n  find_package(pybind11 CONFIG REQUIRED)\n  pybind11_add_module(m m.cpp)\nendif()\n';
    const run = rewrite(text, file);
    expect(run.text).toEqual(
      'if(WITH_BINDINGS)\n  set(PYTHON_EXECUTABLE ${PROJECT_PYTHON})\n  set(Python_EXECUTABLE ${PROJECT_PYTHON})\n  find_package(pybind11 CONFIG REQUIRED)\n  pybind11_add_module(m m.cpp)\nendif()\n',
    );
    expectSettled(run, file);
  });

  it('rewrites a hint that named another venv instead of adding a second one', () => {
    const file = 'bindings/CMakeLists.txt';
    const text = [
      'set(Python3_EXECUTABLE "${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3")',
      'find_package(Python3 COMPONENTS Interpreter Development.Module REQUIRED)',
      'python3_add_library(m MODULE m.cpp)',
      '',
    ].join('\n');
    const run = rewrite(text, file);
    expect(run.text).toEqual(
      text.replace('${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3', '${PROJECT_PYTHON}'),
    );
    expectSettled(run, file);
  });

  it('leaves a condition under a find_package it keeps, and explains one it cannot translate', () => {
    const file = 'tools/CMakeLists.txt';
    const text =
      'set(HAVE_PY ${Python3_FOUND})\nadd_custom_target(doc COMMAND ${Python3_EXECUTABLE} doc.py)\n';
    const run = rewrite(text, file);
    expect(run.text).toEqual(
      'set(HAVE_PY ${Python3_FOUND})\nadd_custom_target(doc COMMAND ${PROJECT_PYTHON} doc.py)\n',
    );
    expect(run.result.skipped.map((s) => [s.reference.text, s.reason])).toEqual([
      [
        '${Python3_FOUND}',
        '${Python3_FOUND} has no PROJECT_PYTHON equivalent: test EXISTS ${PROJECT_PYTHON} instead',
      ],
    ]);
    expectSettled(run, file);
  });
});

describe('cmake rewriter: venv variables', () => {
  it('keeps a venv variable read in a subdirectory as an alias, and moves the subdirectory too', () => {
    const text =
      'project(x)\nset(TRACE_VENV ${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3)\nadd_subdirectory(trace)\n';
    const elsewhere = detectReferences(
      adapter,
      'add_custom_target(t COMMAND ${TRACE_VENV} t.py)\n',
      'trace/CMakeLists.txt',
    );
    const own = detectReferences(adapter, text, 'CMakeLists.txt');
    const run = rewrite(text, 'CMakeLists.txt', { references: [...own, ...elsewhere] });
    expect(run.text).toEqual(
      [
        'project(x)',
        '',
        ...DEFINE,
        '',
        'set(TRACE_VENV ${PROJECT_PYTHON})',
        'add_subdirectory(trace)',
        '',
      ].join('\n'),
    );
    // The subdirectory runs it too: the definition above it says what it is.
    const subText = 'add_custom_target(t COMMAND ${TRACE_VENV} t.py)\n';
    const sub = rewrite(subText, 'trace/CMakeLists.txt', { references: [...own, ...elsewhere] });
    expect(sub.text).toEqual('add_custom_target(t COMMAND ${PROJECT_PYTHON} t.py)\n');
    expect(sub.after.map((r) => [r.text, r.environment])).toEqual([
      ['${PROJECT_PYTHON}', 'python/.venv'],
    ]);
    // Alone, or under a listfile that is not above it, it is reported, not guessed.
    for (const references of [
      elsewhere,
      [...detectReferences(adapter, text, 'other/CMakeLists.txt'), ...elsewhere],
    ]) {
      const alone = rewrite(subText, 'trace/CMakeLists.txt', { references });
      expect(alone.result.edits).toEqual([]);
      expect(alone.result.skipped.map((s) => s.reason)).toEqual([
        '${TRACE_VENV} is built from a variable onevenv cannot resolve in this file: point it at python/.venv/bin/python3 by hand',
      ]);
    }
    expectSettled(run, 'CMakeLists.txt', { references: [...own, ...elsewhere] });
  });

  it('a venv directory variable names python/.venv; its interpreter uses run ${PROJECT_PYTHON}', () => {
    const file = 'tools/CMakeLists.txt';
    const text = [
      'set(VENV_DIR ${CMAKE_SOURCE_DIR}/scripts/.venv)',
      'add_custom_target(a',
      '  COMMAND ${VENV_DIR}/bin/python3 a.py',
      '  COMMAND ${VENV_DIR}/bin/pip install foo)',
      'if(EXISTS ${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3)',
      'endif()',
      '',
    ].join('\n');
    const run = rewrite(text, file);
    expect(run.text).toEqual(
      [
        'set(VENV_DIR ${CMAKE_SOURCE_DIR}/python/.venv)',
        'add_custom_target(a',
        '  COMMAND ${PROJECT_PYTHON} a.py',
        '  COMMAND ${VENV_DIR}/bin/pip install foo)',
        'if(EXISTS ${PROJECT_PYTHON})',
        'endif()',
        '',
      ].join('\n'),
    );
    expect(run.result.skipped.map((s) => [s.reference.text, s.reason])).toEqual([
      [
        '${VENV_DIR}/bin/pip install foo',
        'installs packages while building: declare them in python/pyproject.toml and remove this COMMAND',
      ],
    ]);
    expect(run.after.filter((r) => !r.unified)).toEqual([]);
    expect(rewrite(run.text, file).result.edits).toEqual([]);
  });

  it('replaces find_program() of a Python by the venv interpreter', () => {
    const file = 'tests/CMakeLists.txt';
    const text =
      'find_program(PY NAMES python3 python)\nadd_test(NAME t COMMAND ${PY} -m pytest)\nif(PY)\nendif()\n';
    const run = rewrite(text, file);
    expect(run.text).toEqual(
      'add_test(NAME t COMMAND ${PROJECT_PYTHON} -m pytest)\nif(PROJECT_PYTHON)\nendif()\n',
    );
    expectSettled(run, file);
  });

  it('skips a variable it cannot resolve, with the reason, and changes nothing', () => {
    const text =
      'set(TRACE_VENV $ENV{HOME}/venvs/trace/bin/python3)\nadd_custom_target(t COMMAND ${TRACE_VENV} t.py)\n';
    const run = rewrite(text, 'trace/CMakeLists.txt');
    expect(run.result).toEqual({
      edits: [],
      skipped: run.before.map((reference) => ({
        reference,
        reason: `${reference.text} is built from a variable onevenv cannot resolve in this file: point it at python/.venv/bin/python3 by hand`,
      })),
      notes: [],
    });
    expect(run.before.map((r) => r.text)).toEqual([
      '$ENV{HOME}/venvs/trace/bin/python3',
      '${TRACE_VENV}',
    ]);
    expectSettled(run, 'trace/CMakeLists.txt');
  });
});

describe('cmake rewriter: text it must keep', () => {
  it('keeps CRLF line endings', () => {
    const lines = [
      'project(x)',
      'find_package(Python3 COMPONENTS Interpreter)',
      'if(Python3_FOUND)',
      '  add_custom_target(doc COMMAND ${Python3_EXECUTABLE} doc.py)',
      'endif()',
      'set(TRACE_VENV ${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3)',
      'add_custom_target(t COMMAND ${TRACE_VENV} t.py)',
      '',
    ];
    const run = rewrite(lines.join('\r\n'));
    expect(run.text).toEqual(
      [
        'project(x)',
        '',
        ...DEFINE,
        '',
        'if(EXISTS ${PROJECT_PYTHON})',
        '  add_custom_target(doc COMMAND ${PROJECT_PYTHON} doc.py)',
        'else()',
        `  ${MISSING}`,
        'endif()',
        'add_custom_target(t COMMAND ${PROJECT_PYTHON} t.py)',
        '',
      ].join('\r\n'),
    );
    expectSettled(run);
  });

  it('leaves comments and bracket arguments as they are', () => {
    const text = [
      'project(x) # uses ${Python3_EXECUTABLE} from scripts/.venv',
      'find_package(Python3 COMPONENTS Interpreter)',
      '#[[ add_custom_target(old COMMAND ${Python3_EXECUTABLE} old.py) ]]',
      'add_custom_target(doc COMMAND ${Python3_EXECUTABLE} doc.py',
      '  COMMENT [=[runs ${Python3_EXECUTABLE}]=])',
      'file(WRITE x.cmake [[set(PY ${Python3_EXECUTABLE})]])',
      '',
    ].join('\n');
    const run = rewrite(text);
    expect(run.text).toEqual(
      [
        'project(x) # uses ${Python3_EXECUTABLE} from scripts/.venv',
        '',
        ...DEFINE,
        '',
        '#[[ add_custom_target(old COMMAND ${Python3_EXECUTABLE} old.py) ]]',
        'add_custom_target(doc COMMAND ${PROJECT_PYTHON} doc.py',
        '  COMMENT [=[runs ${Python3_EXECUTABLE}]=])',
        'file(WRITE x.cmake [[set(PY ${Python3_EXECUTABLE})]])',
        '',
      ].join('\n'),
    );
    expect(run.result.notes).toEqual([
      'line 1: a comment still names the old venv; update it by hand',
    ]);
    expectSettled(run);
  });

  it('changes nothing in a file already on the venv', () => {
    const seed = read('src/adapters/cmake/__fixtures__/seed-CMakeLists.after.txt');
    expect(rewrite(seed).result).toEqual({ edits: [], skipped: [], notes: [] });
    const sub =
      'set(Python3_EXECUTABLE ${PROJECT_PYTHON})\nfind_package(Python3 COMPONENTS Development.Module)\n';
    expect(rewrite(sub, 'bindings/CMakeLists.txt').result).toEqual({
      edits: [],
      skipped: [],
      notes: [],
    });
    expect(rewrite('', 'CMakeLists.txt').result).toEqual({ edits: [], skipped: [], notes: [] });
  });

  it('settles any mix of the patterns it knows, and never breaks the file', () => {
    const snippets = [
      'find_package(Python3 COMPONENTS Interpreter)',
      'find_package(Python3 REQUIRED)',
      'find_package(Python3 COMPONENTS Interpreter Development.Module)',
      'find_package(pybind11 CONFIG)',
      'find_package(PythonInterp)',
      'if(Python3_FOUND)\n  add_custom_target(a COMMAND ${Python3_EXECUTABLE} a.py)\nendif()',
      'if(PYTHONINTERP_FOUND)\nelse()\n  message(STATUS "none")\nendif()',
      'set(TRACE_VENV ${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3)',
      'add_custom_target(t COMMAND ${TRACE_VENV} t.py VERBATIM)',
      'set(VENV ${CMAKE_SOURCE_DIR}/scripts/.venv)',
      'add_custom_command(OUTPUT x COMMAND ${VENV}/bin/python3 x.py)',
      'execute_process(COMMAND ${Python3_EXECUTABLE} -m pybind11 --cmakedir OUTPUT_VARIABLE d)',
      'message(STATUS "${Python3_EXECUTABLE} ${PYTHON_EXECUTABLE}")',
      'pybind11_add_module(m m.cpp)',
      'add_subdirectory(sub)',
      'project(p)',
      '# ${TRACE_VENV} scripts/.venv',
      'set(PY [[${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3]])',
      'add_test(NAME t COMMAND python3 -m pytest)',
    ];
    const file = fc.constantFrom('CMakeLists.txt', 'sub/CMakeLists.txt', 'cmake/py.cmake');
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...snippets), { maxLength: 8 }),
        file,
        fc.boolean(),
        (parts, name, crlf) => {
          const text = `${parts.join('\n')}\n`.replace(/\n/g, crlf ? '\r\n' : '\n');
          const run = rewrite(text, name);
          expectSettled(run, name);
          expect(parseCMake(run.text).errors).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
