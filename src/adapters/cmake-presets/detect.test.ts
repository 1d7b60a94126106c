// biome-ignore-all lint/suspicious/noTemplateCurlyInString: presets spell their macros ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectContext, expectedReference, outline } from '../../../test/helpers/adapter.js';
import type { Reference } from '../types.js';
import { detectPresetReferences, isCMakePresetsFile } from './detect.js';
import { adapter } from './index.js';

function detect(text: string, file = 'CMakePresets.json'): Reference[] | null {
  return detectPresetReferences(text, file, detectContext)?.references ?? null;
}

function expected(
  text: string,
  needle: string,
  fields: Omit<Reference, 'file' | 'line' | 'column' | 'span' | 'text' | 'adapter'>,
  after = '',
): Reference {
  const place = { file: 'CMakePresets.json', adapter: 'cmake-presets' as const };
  return expectedReference(text, needle, { ...place, ...fields }, { after });
}

const PRESETS = `{
  "version": 6,
  "configurePresets": [
    {
      "name": "base",
      "hidden": true,
      "cacheVariables": {
        "CMAKE_BUILD_TYPE": "Debug",
        "Python3_EXECUTABLE": "\${sourceDir}/scripts/.venv/bin/python3",
        "TRACE_VENV": { "type": "PATH", "value": "\${sourceDir}/scripts/.venv" },
        "BUILD_PYTHON_BINDINGS": "ON"
      }
    },
    {
      "name": "debug",
      "inherits": "base",
      "environment": {
        "PYTHONPATH": "\${sourceDir}/build/debug/python\${pathListSep}$penv{PYTHONPATH}",
        "PATH": "\${sourceDir}/tools/.venv/bin:$penv{PATH}",
        "VIRTUAL_ENV": "\${sourceDir}/tools/.venv",
        "PYTHONHASHSEED": "0"
      }
    }
  ],
  "buildPresets": [
    {
      "name": "debug-all",
      "configurePreset": "debug",
      "environment": { "PYTHONPATH": "\${sourceDir}/lib" }
    }
  ]
}
`;

describe('cmake-presets adapter', () => {
  it('reads CMakePresets.json and CMakeUserPresets.json', () => {
    expect(adapter.name).toBe('cmake-presets');
    expect(
      [
        'CMakePresets.json',
        'cpp/CMakeUserPresets.json',
        'presets/CMakePresets.jsonc',
        'CMakeLists.txt',
      ].map((f) => isCMakePresetsFile(f)),
    ).toEqual([true, true, false, false]);
  });

  it('returns null for an empty file, a file without Python, and malformed JSON', () => {
    expect(detect('')).toBeNull();
    expect(
      detect('{"version": 6, "configurePresets": [{"name": "d", "generator": "Ninja"}]}'),
    ).toBeNull();
    for (const broken of [
      '{{{ python',
      '[venv',
      '{"configurePresets": "python"}',
      '"venv"',
      'null',
    ]) {
      expect(detect(broken)).toBeNull();
    }
  });

  it('reads what it can of a truncated file', () => {
    const text =
      '{"configurePresets": [{"name": "d", "cacheVariables": {"Python3_EXECUTABLE": "/opt/venv/bin/python';
    expect(outline(detect(text))).toEqual([
      [
        1,
        'interpreter-path',
        '/opt/venv/bin/python',
        '/opt/venv',
        'CMake preset d',
        'external-interpreter',
      ],
    ]);
  });

  it('finds cache variables and environment entries of every preset', () => {
    const refs = detect(PRESETS);
    expect(refs).toEqual([
      expected(PRESETS, '${sourceDir}/scripts/.venv/bin/python3', {
        kind: 'interpreter-path',
        consumer: 'CMake preset base',
        environment: 'scripts/.venv',
        meta: {
          preset: 'base',
          presetType: 'configurePresets',
          presetIndex: 0,
          section: 'cacheVariables',
          variable: 'Python3_EXECUTABLE',
          value: '${sourceDir}/scripts/.venv/bin/python3',
        },
      }),
      expected(
        PRESETS,
        '${sourceDir}/scripts/.venv',
        {
          kind: 'venv-variable',
          consumer: 'CMake preset base',
          environment: 'scripts/.venv',
          meta: {
            preset: 'base',
            presetType: 'configurePresets',
            presetIndex: 0,
            section: 'cacheVariables',
            variable: 'TRACE_VENV',
            value: '${sourceDir}/scripts/.venv',
          },
        },
        '"TRACE_VENV"',
      ),
      expected(PRESETS, '${sourceDir}/build/debug/python${pathListSep}$penv{PYTHONPATH}', {
        kind: 'pythonpath',
        consumer: 'CMake preset debug',
        environment: 'scripts/.venv',
        meta: {
          preset: 'debug',
          presetType: 'configurePresets',
          presetIndex: 1,
          section: 'environment',
          variable: 'PYTHONPATH',
          value: '${sourceDir}/build/debug/python${pathListSep}$penv{PYTHONPATH}',
          paths: ['build/debug/python'],
          appends: true,
        },
      }),
      expected(PRESETS, '${sourceDir}/tools/.venv/bin', {
        kind: 'venv-activate',
        consumer: 'CMake preset debug',
        environment: 'tools/.venv',
        meta: {
          preset: 'debug',
          presetType: 'configurePresets',
          presetIndex: 1,
          section: 'environment',
          variable: 'PATH',
          value: '${sourceDir}/tools/.venv/bin:$penv{PATH}',
          via: 'PATH',
        },
      }),
      expected(
        PRESETS,
        '${sourceDir}/tools/.venv',
        {
          kind: 'venv-variable',
          consumer: 'CMake preset debug',
          environment: 'tools/.venv',
          meta: {
            preset: 'debug',
            presetType: 'configurePresets',
            presetIndex: 1,
            section: 'environment',
            variable: 'VIRTUAL_ENV',
            value: '${sourceDir}/tools/.venv',
          },
        },
        '"VIRTUAL_ENV"',
      ),
      expected(PRESETS, '${sourceDir}/lib', {
        kind: 'pythonpath',
        consumer: 'CMake preset debug-all',
        environment: 'scripts/.venv',
        meta: {
          preset: 'debug-all',
          presetType: 'buildPresets',
          presetIndex: 0,
          section: 'environment',
          variable: 'PYTHONPATH',
          value: '${sourceDir}/lib',
          paths: ['lib'],
        },
      }),
    ]);
  });

  it('reports a preset already on the unified venv, and PYTHONPATH of presets that set no interpreter', () => {
    const text = JSON.stringify(
      {
        version: 6,
        configurePresets: [
          {
            name: 'dev',
            cacheVariables: { PROJECT_PYTHON: '${sourceDir}/python/.venv/bin/python3' },
          },
          { name: 'plain', environment: { PYTHONPATH: '${sourceDir}/build/python' } },
        ],
      },
      null,
      2,
    );
    expect(outline(detect(text))).toEqual([
      [
        7,
        'interpreter-path',
        '${sourceDir}/python/.venv/bin/python3',
        'python/.venv',
        'CMake preset dev',
      ],
      [13, 'pythonpath', '${sourceDir}/build/python', 'python/.venv', 'CMake preset plain'],
    ]);
  });

  it('marks values with variables it cannot resolve, and resolves ${sourceDir} per file', () => {
    const text = JSON.stringify({
      configurePresets: [
        {
          name: 'home',
          cacheVariables: {
            Python3_ROOT_DIR: '$env{HOME}/.venvs/trace',
            Python_EXECUTABLE: '${sourceDir}/.venv/bin/python',
          },
          environment: { PYTHONPATH: '$env{EXTRA}' },
        },
      ],
    });
    expect(outline(detect(text, 'cpp/CMakeUserPresets.json'))).toEqual([
      [
        1,
        'interpreter-path',
        '$env{HOME}/.venvs/trace',
        'unknown',
        'CMake preset home',
        'contains-variable',
      ],
      [1, 'interpreter-path', '${sourceDir}/.venv/bin/python', 'cpp/.venv', 'CMake preset home'],
      [1, 'pythonpath', '$env{EXTRA}', 'cpp/.venv', 'CMake preset home', 'contains-variable'],
    ]);
  });

  it('keeps spans exact with CRLF and JSON escapes', () => {
    const text =
      '{\r\n  "configurePresets": [\r\n    {\r\n      "name": "win",\r\n      "cacheVariables": {\r\n        "Python3_EXECUTABLE": "C:\\\\venvs\\\\x\\\\Scripts\\\\python.exe"\r\n      }\r\n    }\r\n  ]\r\n}\r\n';
    const refs = detect(text)!;
    expect(outline(refs)).toEqual([
      [
        6,
        'interpreter-path',
        'C:\\\\venvs\\\\x\\\\Scripts\\\\python.exe',
        'C:/venvs/x',
        'CMake preset win',
        'external-interpreter',
      ],
    ]);
    for (const ref of refs) expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
    expect(refs[0]!.meta!.value).toBe('C:\\venvs\\x\\Scripts\\python.exe');
  });

  it('does not report keys that merely mention Python', () => {
    const text = JSON.stringify({
      configurePresets: [
        {
          name: 'python-bindings',
          displayName: 'Python venv build',
          description: 'activate scripts/.venv/bin/activate first',
          binaryDir: '${sourceDir}/build/venv-tests',
          cacheVariables: {
            BUILD_PYTHON_BINDINGS: 'ON',
            PYTHON_BINDINGS: true,
            SETUP_SCRIPT: '${sourceDir}/scripts/make_venv.sh',
          },
          environment: { PYTHONHASHSEED: '0', PYTHONPATH: null },
        },
      ],
      vendor: { example: { python: '/usr/bin/python3' } },
    });
    expect(detect(text)).toBeNull();
  });

  it('never throws on random preset-like text, and every span is exact', () => {
    const pieces = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"configurePresets"',
      '"buildPresets"',
      '"name"',
      '"cacheVariables"',
      '"environment"',
      '"inherits"',
      '"Python3_EXECUTABLE"',
      '"PYTHONPATH"',
      '"PATH"',
      '"value"',
      '"${sourceDir}/.venv/bin/python3"',
      '"$penv{PATH}:${sourceDir}/v/.venv/bin"',
      '"a\\\\b"',
      '"\\u0041venv"',
      '"unterminated',
      '\r\n',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        for (const ref of detect(text) ?? []) {
          expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
          expect(ref.span.end).toBeGreaterThan(ref.span.start);
        }
      }),
      { numRuns: 500 },
    );
  });
});
