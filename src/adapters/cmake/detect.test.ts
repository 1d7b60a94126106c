// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${NAME}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  detectContext,
  expectedReference,
  findSpan,
  outline,
} from '../../../test/helpers/adapter.js';
import type { Reference } from '../types.js';
import { detectCMakeReferences, isCMakeFile } from './detect.js';
import { adapter } from './index.js';

function detect(text: string, file = 'CMakeLists.txt'): Reference[] | null {
  return detectCMakeReferences(text, file, detectContext)?.references ?? null;
}

function expected(
  text: string,
  needle: string,
  fields: Omit<Reference, 'file' | 'line' | 'column' | 'span' | 'text' | 'adapter'>,
  options: { occurrence?: number; file?: string } = {},
): Reference {
  const place = { file: options.file ?? 'CMakeLists.txt', adapter: 'cmake' as const };
  return expectedReference(
    text,
    needle,
    { ...place, ...fields },
    { occurrence: options.occurrence },
  );
}

function commandSpan(
  text: string,
  head: string,
  tail: string,
): { commandStart: number; commandEnd: number } {
  const start = text.indexOf(head);
  const end = text.indexOf(tail, start) + tail.length;
  return { commandStart: start, commandEnd: end };
}

const SEED = `cmake_minimum_required(VERSION 3.20)
project(telemetry_sim LANGUAGES CXX)

# Documentation databases: python3 -m venv is not run here.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_custom_target(doxygen-db
    COMMAND \${Python3_EXECUTABLE} \${CMAKE_SOURCE_DIR}/scripts/docs/doxygen_to_sqlite.py
            --output \${CMAKE_BINARY_DIR}/db/doxygen.db
    COMMENT "Indexing C++ documentation with python")
endif()

# Traceability: needs the venv in scripts/ (tree-sitter).
set(TRACE_VENV \${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3)
add_custom_target(trace-git
  COMMAND \${TRACE_VENV} \${CMAKE_SOURCE_DIR}/scripts/traceability/trace_git.py --db x.db
  COMMENT "Recording git history")
`;

describe('cmake adapter', () => {
  it('reads CMakeLists.txt and *.cmake, not CMake build trees', () => {
    expect(adapter.name).toBe('cmake');
    expect(
      [
        'CMakeLists.txt',
        'sub/CMakeLists.txt',
        'cmake/Python.cmake',
        'cmake/x.CMAKE',
        'build/CMakeFiles/3.28/CMakeSystem.cmake',
        'CMakePresets.json',
        'CMakeLists.txt.in',
        'cmakelists.txt',
      ].map((f) => isCMakeFile(f)),
    ).toEqual([true, true, true, true, false, false, false, false]);
  });

  it('returns null for an empty file and one without Python', () => {
    expect(detect('')).toBeNull();
    expect(detect('project(x)\nadd_executable(x main.cpp)\n')).toBeNull();
  });

  it('finds the seed ticket pattern: find_package + Python3_EXECUTABLE, and a venv variable', () => {
    const refs = detect(SEED);
    expect(refs).toEqual([
      expected(SEED, 'find_package(Python3 COMPONENTS Interpreter)', {
        kind: 'find-package',
        consumer: 'CMake CMakeLists.txt',
        environment: 'find_package(Python3)',
        meta: {
          package: 'Python3',
          components: ['Interpreter'],
          optionalComponents: [],
          required: false,
          developmentNeeded: false,
          interpreterOnly: true,
          command: 'find_package',
          ...commandSpan(SEED, 'find_package(', ')'),
        },
      }),
      expected(SEED, 'Python3_FOUND', {
        kind: 'python-found-condition',
        consumer: 'CMake CMakeLists.txt',
        environment: 'find_package(Python3)',
        meta: {
          variable: 'Python3_FOUND',
          condition: 'Python3_FOUND',
          elseStart: -1,
          endifStart: findSpan(SEED, 'endif()').start,
          endifEnd: findSpan(SEED, 'endif()').end,
          command: 'if',
          ...commandSpan(SEED, 'if(Python3_FOUND', ')'),
        },
      }),
      expected(SEED, '${Python3_EXECUTABLE}', {
        kind: 'python-command',
        consumer: 'CMake target doxygen-db',
        environment: 'find_package(Python3)',
        meta: {
          interpreter: 'find-package',
          variable: 'Python3_EXECUTABLE',
          script: 'scripts/docs/doxygen_to_sqlite.py',
          command: 'add_custom_target',
          ...commandSpan(SEED, 'add_custom_target(doxygen-db', 'python")'),
          phase: 'build',
          target: 'doxygen-db',
          arguments: [
            '${Python3_EXECUTABLE}',
            '${CMAKE_SOURCE_DIR}/scripts/docs/doxygen_to_sqlite.py',
            '--output',
            '${CMAKE_BINARY_DIR}/db/doxygen.db',
          ],
          clauseStart: findSpan(SEED, 'COMMAND').start,
          clauseEnd: findSpan(SEED, 'doxygen.db').end,
          commandLine:
            '${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/docs/doxygen_to_sqlite.py --output ${CMAKE_BINARY_DIR}/db/doxygen.db',
        },
      }),
      expected(SEED, '${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3', {
        kind: 'venv-variable',
        consumer: 'CMake CMakeLists.txt',
        environment: 'scripts/.venv',
        meta: {
          variable: 'TRACE_VENV',
          definition: true,
          role: 'interpreter',
          value: '${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3',
          command: 'set',
          ...commandSpan(SEED, 'set(TRACE_VENV', ')'),
        },
      }),
      expected(SEED, '${TRACE_VENV}', {
        kind: 'python-command',
        consumer: 'CMake target trace-git',
        environment: 'scripts/.venv',
        meta: {
          interpreter: 'variable',
          variable: 'TRACE_VENV',
          script: 'scripts/traceability/trace_git.py',
          command: 'add_custom_target',
          ...commandSpan(SEED, 'add_custom_target(trace-git', 'history")'),
          phase: 'build',
          target: 'trace-git',
          arguments: [
            '${TRACE_VENV}',
            '${CMAKE_SOURCE_DIR}/scripts/traceability/trace_git.py',
            '--db',
            'x.db',
          ],
          clauseStart: findSpan(SEED, 'COMMAND', { occurrence: 1 }).start,
          clauseEnd: findSpan(SEED, 'x.db').end,
          commandLine:
            '${TRACE_VENV} ${CMAKE_SOURCE_DIR}/scripts/traceability/trace_git.py --db x.db',
        },
      }),
    ]);
  });

  it('gives spans and meta a rewrite can splice, and the result comes back unified', () => {
    const unified = '${PROJECT_PYTHON}';
    const edits = detect(SEED)!.flatMap((ref) => {
      const meta = ref.meta!;
      if (ref.kind === 'find-package' && meta.interpreterOnly === true) {
        const set = 'set(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)';
        return [{ start: meta.commandStart as number, end: meta.commandEnd as number, text: set }];
      }
      if (ref.kind === 'python-found-condition') {
        return [{ ...ref.span, text: `EXISTS ${unified}` }];
      }
      return [{ ...ref.span, text: unified }];
    });
    let text = SEED;
    for (const edit of edits.sort((a, b) => b.start - a.start)) {
      text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    }
    expect(text).toContain('if(EXISTS ${PROJECT_PYTHON})');
    expect(text).toContain('set(TRACE_VENV ${PROJECT_PYTHON})');
    expect(outline(detect(text))).toEqual([
      [
        5,
        'venv-variable',
        '${CMAKE_SOURCE_DIR}/python/.venv/bin/python3',
        'python/.venv',
        'CMake CMakeLists.txt',
      ],
      [6, 'venv-variable', '${PROJECT_PYTHON}', 'python/.venv', 'CMake CMakeLists.txt'],
      [8, 'python-command', '${PROJECT_PYTHON}', 'python/.venv', 'CMake target doxygen-db'],
      [14, 'venv-variable', '${PROJECT_PYTHON}', 'python/.venv', 'CMake CMakeLists.txt'],
      [16, 'python-command', '${PROJECT_PYTHON}', 'python/.venv', 'CMake target trace-git'],
    ]);
  });

  it('reports references already on the unified venv, including the pybind11 hint', () => {
    const text = [
      'set(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)',
      'set(Python3_EXECUTABLE ${PROJECT_PYTHON})',
      'find_package(Python3 COMPONENTS Interpreter Development.Module REQUIRED)',
      'find_package(pybind11 CONFIG REQUIRED)',
      'pybind11_add_module(msd_reader msd_reader.cpp)',
      'if(EXISTS ${PROJECT_PYTHON})',
      '  add_custom_target(doc COMMAND ${PROJECT_PYTHON} ${CMAKE_SOURCE_DIR}/scripts/doc.py)',
      'else()',
      '  message(WARNING "Run python/setup.sh to create the python venv")',
      'endif()',
      '',
    ].join('\n');
    const refs = detect(text);
    expect(outline(refs)).toEqual([
      [
        1,
        'venv-variable',
        '${CMAKE_SOURCE_DIR}/python/.venv/bin/python3',
        'python/.venv',
        'CMake CMakeLists.txt',
      ],
      [2, 'venv-variable', '${PROJECT_PYTHON}', 'python/.venv', 'CMake CMakeLists.txt'],
      [
        3,
        'find-package',
        'find_package(Python3 COMPONENTS Interpreter Development.Module REQUIRED)',
        'python/.venv',
        'CMake CMakeLists.txt',
      ],
      [
        4,
        'find-package',
        'find_package(pybind11 CONFIG REQUIRED)',
        'python/.venv',
        'CMake CMakeLists.txt',
      ],
      [6, 'venv-variable', '${PROJECT_PYTHON}', 'python/.venv', 'CMake CMakeLists.txt'],
      [7, 'python-command', '${PROJECT_PYTHON}', 'python/.venv', 'CMake target doc'],
    ]);
    expect(refs![1]!.meta).toEqual({
      variable: 'Python3_EXECUTABLE',
      definition: true,
      role: 'interpreter',
      hint: true,
      value: '${PROJECT_PYTHON}',
      command: 'set',
      ...commandSpan(text, 'set(Python3_EXECUTABLE', ')'),
    });
    expect(refs![2]!.meta).toEqual({
      package: 'Python3',
      components: ['Interpreter', 'Development.Module'],
      optionalComponents: [],
      required: true,
      developmentNeeded: true,
      interpreterOnly: false,
      hint: 'Python3_EXECUTABLE',
      extensionModules: ['msd_reader'],
      command: 'find_package',
      ...commandSpan(text, 'find_package(Python3', ')'),
    });
    expect(refs![3]!.meta).toEqual({
      package: 'pybind11',
      components: [],
      optionalComponents: [],
      required: true,
      developmentNeeded: true,
      interpreterOnly: false,
      config: true,
      hint: 'Python3_EXECUTABLE',
      extensionModules: ['msd_reader'],
      command: 'find_package',
      ...commandSpan(text, 'find_package(pybind11', ')'),
    });
  });

  it('takes ${PROJECT_PYTHON} set elsewhere as the unified interpreter', () => {
    const text = 'add_test(NAME replay-tests COMMAND ${PROJECT_PYTHON} -m pytest)\n';
    expect(detect(text, 'replay/CMakeLists.txt')).toEqual([
      expected(
        text,
        '${PROJECT_PYTHON}',
        {
          kind: 'python-command',
          consumer: 'CMake test replay-tests',
          environment: 'python/.venv',
          meta: {
            interpreter: 'variable',
            variable: 'PROJECT_PYTHON',
            module: 'pytest',
            command: 'add_test',
            commandStart: 0,
            commandEnd: text.length - 1,
            phase: 'test',
            test: 'replay-tests',
            arguments: ['${PROJECT_PYTHON}', '-m', 'pytest'],
            clauseStart: findSpan(text, 'COMMAND').start,
            clauseEnd: findSpan(text, 'pytest').end,
            commandLine: '${PROJECT_PYTHON} -m pytest',
          },
        },
        { file: 'replay/CMakeLists.txt' },
      ),
    ]);
    expect(
      detectCMakeReferences(text, 'CMakeLists.txt', { unifiedVenv: 'tools/venv' })?.references[0]
        ?.environment,
    ).toBe('tools/venv');
  });

  it('reports values built on variables it cannot resolve with contains-variable', () => {
    const text = [
      'set(TRACE_VENV $ENV{HOME}/.venvs/trace)',
      'set(ACTIVE $ENV{VIRTUAL_ENV})',
      'add_custom_target(trace COMMAND ${TRACE_VENV}/bin/python3 t.py)',
      'execute_process(COMMAND ${SOME_PYTHON} -c "import sys")',
      'add_custom_target(gen COMMAND ${CMAKE_BINARY_DIR}/venv/bin/python gen.py)',
      '',
    ].join('\n');
    expect(outline(detect(text))).toEqual([
      [
        1,
        'venv-variable',
        '$ENV{HOME}/.venvs/trace',
        'unknown',
        'CMake CMakeLists.txt',
        'contains-variable',
      ],
      [
        2,
        'venv-variable',
        '$ENV{VIRTUAL_ENV}',
        'unknown',
        'CMake CMakeLists.txt',
        'contains-variable',
      ],
      [
        3,
        'python-command',
        '${TRACE_VENV}/bin/python3',
        'unknown',
        'CMake target trace',
        'contains-variable',
      ],
      [
        4,
        'python-command',
        '${SOME_PYTHON}',
        'unknown',
        'CMake CMakeLists.txt',
        'contains-variable',
      ],
      [
        5,
        'python-command',
        '${CMAKE_BINARY_DIR}/venv/bin/python',
        'unknown',
        'CMake target gen',
        'contains-variable',
      ],
    ]);
  });

  it('keeps spans exact in a CRLF file', () => {
    const text =
      'find_package(Python3 REQUIRED)\r\nadd_custom_target(doc\r\n  COMMAND "${Python3_EXECUTABLE}" x.py\r\n  DEPENDS ${CMAKE_SOURCE_DIR}/.venv/bin/python3)\r\n';
    const refs = detect(text)!;
    expect(outline(refs)).toEqual([
      [
        1,
        'find-package',
        'find_package(Python3 REQUIRED)',
        'find_package(Python3)',
        'CMake CMakeLists.txt',
      ],
      [3, 'python-command', '${Python3_EXECUTABLE}', 'find_package(Python3)', 'CMake target doc'],
      [4, 'interpreter-path', '${CMAKE_SOURCE_DIR}/.venv/bin/python3', '.venv', 'CMake target doc'],
    ]);
    for (const ref of refs) expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
    expect(refs.map((r) => [r.line, r.column])).toEqual([
      [1, 1],
      [3, 12],
      [4, 11],
    ]);
  });

  it('does not report comments, bracket comments, messages, escaped or bracketed text', () => {
    const text = [
      '# find_package(Python3) and ${Python3_EXECUTABLE}: python3 -m venv .venv',
      '#[[ set(TRACE_VENV ${CMAKE_SOURCE_DIR}/scripts/.venv)',
      '    add_custom_target(x COMMAND ${Python3_EXECUTABLE} x.py) ]]',
      '#[=[ find_package(PythonInterp) ]] still a comment ]=]',
      'message(STATUS "python is great; source scripts/.venv/bin/activate first")',
      'message([[${Python3_EXECUTABLE} is not expanded in brackets]])',
      'message("\\${Python3_EXECUTABLE} is escaped")',
      'install(DIRECTORY . DESTINATION share PATTERN ".venv" EXCLUDE)',
      'set(SETUP ${CMAKE_SOURCE_DIR}/scripts/make_venv.sh)',
      'set(PYTHON_SCRIPTS_DIR ${SOME_ROOT}/scripts)',
      'find_package(PythonQt)',
      'if(pybind11_FOUND)',
      'endif()',
      'add_custom_target(docs COMMAND doxygen Doxyfile COMMENT "python docs")',
      '',
    ].join('\n');
    expect(detect(text)).toBeNull();
  });

  it('flags what it reads past a syntax error, and never throws on broken input', () => {
    const text = [
      'find_package(Python3 REQUIRED)',
      'add_custom_target(doc COMMAND ${Python3_EXECUTABLE} x.py',
      'set(TRACE_VENV ${CMAKE_SOURCE_DIR}/scripts/.venv)',
      '',
    ].join('\n');
    expect(outline(detect(text))).toEqual([
      [
        1,
        'find-package',
        'find_package(Python3 REQUIRED)',
        'find_package(Python3)',
        'CMake CMakeLists.txt',
      ],
      [
        2,
        'python-command',
        '${Python3_EXECUTABLE}',
        'find_package(Python3)',
        'CMake target doc',
        'parse-error',
      ],
      [
        3,
        'venv-variable',
        '${CMAKE_SOURCE_DIR}/scripts/.venv',
        'scripts/.venv',
        'CMake CMakeLists.txt',
        'parse-error',
      ],
    ]);
    for (const broken of [
      'python(',
      ')))python',
      '"python',
      '[[python',
      'if(python\n${',
      '\\python\0(',
    ]) {
      expect(() => detect(broken)).not.toThrow();
    }
  });

  it('reads find_package signatures', () => {
    const text = [
      'find_package(Python3 3.10 REQUIRED COMPONENTS Interpreter OPTIONAL_COMPONENTS NumPy)',
      'find_package(PythonInterp 3 REQUIRED)',
      'find_package(Python REQUIRED Interpreter Development QUIET)',
      'find_package(PythonLibs)',
      '',
    ].join('\n');
    expect(
      detect(text)!.map((r) => {
        const { commandStart, commandEnd, command, ...meta } = r.meta!;
        return meta;
      }),
    ).toEqual([
      {
        package: 'Python3',
        version: '3.10',
        components: ['Interpreter'],
        optionalComponents: ['NumPy'],
        required: true,
        developmentNeeded: true,
        interpreterOnly: false,
      },
      {
        package: 'PythonInterp',
        version: '3',
        components: ['Interpreter'],
        optionalComponents: [],
        required: true,
        developmentNeeded: false,
        interpreterOnly: true,
      },
      {
        package: 'Python',
        components: ['Interpreter', 'Development'],
        optionalComponents: [],
        required: true,
        developmentNeeded: true,
        interpreterOnly: false,
      },
      {
        package: 'PythonLibs',
        components: ['Development'],
        optionalComponents: [],
        required: false,
        developmentNeeded: true,
        interpreterOnly: false,
      },
    ]);
  });

  it('follows interpreter hints set before find_package, and found-conditions after it', () => {
    const text = [
      'if(EXISTS "${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3")',
      '  set(Python3_EXECUTABLE ${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3)',
      'endif()',
      'find_package(Python3 COMPONENTS Interpreter)',
      'if(NOT Python3_Interpreter_FOUND OR NOT TARGET Python3::Interpreter)',
      '  message(FATAL_ERROR "no Python for ${Python3_EXECUTABLE}")',
      'elseif(PYTHONINTERP_FOUND)',
      'else()',
      'endif(NOT Python3_Interpreter_FOUND)',
      'set(HAVE_PYTHON ${Python3_FOUND})',
      'if(DEFINED Python3_EXECUTABLE)',
      'endif()',
      '',
    ].join('\n');
    const refs = detect(text)!;
    expect(outline(refs)).toEqual([
      [
        1,
        'interpreter-path',
        '${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3',
        'scripts/.venv',
        'CMake CMakeLists.txt',
      ],
      [
        2,
        'venv-variable',
        '${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3',
        'scripts/.venv',
        'CMake CMakeLists.txt',
      ],
      [
        4,
        'find-package',
        'find_package(Python3 COMPONENTS Interpreter)',
        'scripts/.venv',
        'CMake CMakeLists.txt',
      ],
      [
        5,
        'python-found-condition',
        'Python3_Interpreter_FOUND',
        'scripts/.venv',
        'CMake CMakeLists.txt',
      ],
      [
        5,
        'python-found-condition',
        'Python3::Interpreter',
        'scripts/.venv',
        'CMake CMakeLists.txt',
      ],
      [6, 'interpreter-variable', '${Python3_EXECUTABLE}', 'scripts/.venv', 'CMake CMakeLists.txt'],
      [
        7,
        'python-found-condition',
        'PYTHONINTERP_FOUND',
        'find_package(Python3)',
        'CMake CMakeLists.txt',
      ],
      [
        9,
        'python-found-condition',
        'Python3_Interpreter_FOUND',
        'scripts/.venv',
        'CMake CMakeLists.txt',
      ],
      [10, 'python-found-condition', '${Python3_FOUND}', 'scripts/.venv', 'CMake CMakeLists.txt'],
      [11, 'interpreter-variable', 'Python3_EXECUTABLE', 'scripts/.venv', 'CMake CMakeLists.txt'],
    ]);
    const ifStart = findSpan(text, 'if(NOT').start;
    expect(refs[3]!.meta).toEqual({
      variable: 'Python3_Interpreter_FOUND',
      condition: 'NOT Python3_Interpreter_FOUND OR NOT TARGET Python3::Interpreter',
      elseStart: findSpan(text, 'else()').start,
      endifStart: findSpan(text, 'endif(NOT').start,
      endifEnd: findSpan(text, 'endif(NOT Python3_Interpreter_FOUND)').end,
      command: 'if',
      commandStart: ifStart,
      commandEnd: text.indexOf(')', text.indexOf('Interpreter)', ifStart)) + 1,
    });
  });

  it('resolves custom commands to the target that depends on their output', () => {
    const text = [
      'set(TOOLS_VENV ${PROJECT_SOURCE_DIR}/tools/.venv)',
      'add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/api.db',
      '  COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${CMAKE_SOURCE_DIR}/lib ${TOOLS_VENV}/bin/python3 -m indexer',
      '  DEPENDS ${TOOLS_VENV}/bin/python3 gen.py',
      '  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tools)',
      'add_custom_target(api-db DEPENDS api.db)',
      'add_custom_command(TARGET msd POST_BUILD COMMAND python3 ${CMAKE_SOURCE_DIR}/stamp.py)',
      '',
    ].join('\n');
    const refs = detect(text, 'sub/CMakeLists.txt')!;
    expect(outline(refs)).toEqual([
      [
        1,
        'venv-variable',
        '${PROJECT_SOURCE_DIR}/tools/.venv',
        'tools/.venv',
        'CMake sub/CMakeLists.txt',
      ],
      [3, 'pythonpath', 'PYTHONPATH=${CMAKE_SOURCE_DIR}/lib', 'tools/.venv', 'CMake target api-db'],
      [3, 'python-command', '${TOOLS_VENV}/bin/python3', 'tools/.venv', 'CMake target api-db'],
      [4, 'venv-variable', '${TOOLS_VENV}/bin/python3', 'tools/.venv', 'CMake target api-db'],
      [7, 'python-command', 'python3', 'python3 on PATH', 'CMake target msd'],
    ]);
    expect(refs[1]!.meta!.paths).toEqual(['lib']);
    expect(refs[2]!.meta!.workingDirectory).toBe('${CMAKE_SOURCE_DIR}/tools');
    expect(refs[2]!.meta!.outputs).toEqual(['${CMAKE_CURRENT_BINARY_DIR}/api.db']);
    expect(refs[3]!.meta).toEqual({
      variable: 'TOOLS_VENV',
      interpreterPath: true,
      command: 'add_custom_command',
      ...commandSpan(text, 'add_custom_command(OUTPUT', '/tools)'),
      phase: 'build',
      outputs: ['${CMAKE_CURRENT_BINARY_DIR}/api.db'],
      target: 'api-db',
    });
    expect(refs[4]!.meta!.script).toBe('stamp.py');
  });

  it('reports venv creation, pip installs and imported interpreters in COMMAND lines', () => {
    const text = [
      'find_program(PY_EXE NAMES python3 python HINTS ${CMAKE_SOURCE_DIR}/.venv/bin)',
      'add_custom_target(setup-venv',
      '  COMMAND python3 -m venv ${CMAKE_SOURCE_DIR}/scripts/.venv',
      '  COMMAND ${CMAKE_SOURCE_DIR}/scripts/.venv/bin/pip install -r ${CMAKE_SOURCE_DIR}/scripts/requirements.txt',
      '  COMMAND Python3::Interpreter -c "print(1)"',
      '  COMMAND $<TARGET_FILE:Python3::Interpreter> -m pip install fastmcp',
      '  COMMAND ${PY_EXE} x.py)',
      '',
    ].join('\n');
    const refs = detect(text)!;
    expect(outline(refs)).toEqual([
      [
        1,
        'venv-variable',
        'find_program(PY_EXE NAMES python3 python HINTS ${CMAKE_SOURCE_DIR}/.venv/bin)',
        '.venv',
        'CMake CMakeLists.txt',
      ],
      [
        3,
        'venv-create',
        'python3 -m venv ${CMAKE_SOURCE_DIR}/scripts/.venv',
        'scripts/.venv',
        'CMake target setup-venv',
      ],
      [
        4,
        'pip-install',
        '${CMAKE_SOURCE_DIR}/scripts/.venv/bin/pip install -r ${CMAKE_SOURCE_DIR}/scripts/requirements.txt',
        'scripts/.venv',
        'CMake target setup-venv',
      ],
      [
        5,
        'python-command',
        'Python3::Interpreter',
        'find_package(Python3)',
        'CMake target setup-venv',
      ],
      [
        6,
        'pip-install',
        '$<TARGET_FILE:Python3::Interpreter> -m pip install fastmcp',
        'find_package(Python3)',
        'CMake target setup-venv',
      ],
      [7, 'python-command', '${PY_EXE}', '.venv', 'CMake target setup-venv'],
    ]);
    expect(refs[2]!.meta!.requirements).toEqual(['scripts/requirements.txt']);
    expect(refs[3]!.meta!.interpreter).toBe('imported-target');
  });

  it('resolves directory variables per file kind', () => {
    const text =
      'add_custom_target(t COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/.venv/bin/python a.py\n  COMMAND ${CMAKE_CURRENT_LIST_DIR}/.venv/bin/python b.py)\n';
    expect(outline(detect(text, 'tools/CMakeLists.txt'))).toEqual([
      [
        1,
        'python-command',
        '${CMAKE_CURRENT_SOURCE_DIR}/.venv/bin/python',
        'tools/.venv',
        'CMake target t',
      ],
      [
        2,
        'python-command',
        '${CMAKE_CURRENT_LIST_DIR}/.venv/bin/python',
        'tools/.venv',
        'CMake target t',
      ],
    ]);
    // An included module does not know the directory of the file that includes it.
    expect(outline(detect(text, 'cmake/python.cmake'))).toEqual([
      [
        1,
        'python-command',
        '${CMAKE_CURRENT_SOURCE_DIR}/.venv/bin/python',
        'unknown',
        'CMake target t',
        'contains-variable',
      ],
      [
        2,
        'python-command',
        '${CMAKE_CURRENT_LIST_DIR}/.venv/bin/python',
        'cmake/.venv',
        'CMake target t',
      ],
    ]);
  });

  it('never throws on random listfiles; spans are exact and never overlap', () => {
    const pieces = fc.constantFrom(
      'set(',
      'TRACE_VENV',
      'Python3_EXECUTABLE',
      '${Python3_EXECUTABLE}',
      '${TRACE_VENV}',
      '${PROJECT_PYTHON}',
      '${CMAKE_SOURCE_DIR}/.venv/bin/python3',
      '$ENV{HOME}/.venv',
      'add_custom_target(t',
      'add_custom_command(OUTPUT o',
      'execute_process(',
      'add_test(NAME n',
      'COMMAND',
      'DEPENDS',
      'find_package(Python3',
      'find_program(PY NAMES python3',
      'if(',
      'endif()',
      'Python3_FOUND',
      'python3',
      '-m',
      'venv',
      'pip',
      'install',
      'PYTHONPATH=x',
      '${CMAKE_COMMAND} -E env',
      ')',
      '(',
      '"',
      '[[',
      ']]',
      '#',
      '\\',
      '${',
      '}',
      ' ',
      '\n',
      '\r\n',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const text = parts.join(' ');
        const refs =
          detectCMakeReferences(text, 'sub/CMakeLists.txt', detectContext)?.references ?? [];
        let previous = 0;
        for (const ref of refs) {
          expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
          expect(ref.span.end).toBeGreaterThan(ref.span.start);
          // In order, and no two references claim the same text.
          expect(ref.span.start).toBeGreaterThanOrEqual(previous);
          previous = ref.span.end;
        }
      }),
      { numRuns: 500 },
    );
    expect(() => detect(`message(${'${'.repeat(100_000)}) python`)).not.toThrow();
    expect(() => detect(`${'if('.repeat(50_000)} python`)).not.toThrow();
  });
});
