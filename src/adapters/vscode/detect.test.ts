// biome-ignore-all lint/suspicious/noTemplateCurlyInString: VS Code spells its variables ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brief, detectContext, expectExactSpans } from '../../../test/helpers/adapter.js';
import { classifyReferences, failsCheck } from '../../core/scan/model.js';
import { ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN, type Reference } from '../types.js';
import { detectVscodeReferences, isVscodeFile } from './detect.js';

function detect(text: string, file: string): Reference[] {
  return detectVscodeReferences(text, file, detectContext)?.references ?? [];
}

describe('vscode adapter: files', () => {
  it('reads settings, tasks and launch under .vscode/ and .code-workspace files', () => {
    expect(
      [
        '.vscode/settings.json',
        '.vscode/tasks.json',
        '.vscode/launch.json',
        'sub/.vscode/tasks.json',
        'msd.code-workspace',
        '.vscode/extensions.json',
        '.vscode/mcp.json',
        'settings.json',
      ].map(isVscodeFile),
    ).toEqual([true, true, true, true, true, false, false, false]);
  });

  it('returns null for empty, malformed and unrelated files, and never throws', () => {
    for (const file of ['.vscode/settings.json', '.vscode/tasks.json', '.vscode/launch.json']) {
      expect(detectVscodeReferences('', file, detectContext)).toBeNull();
      expect(detectVscodeReferences('{}', file, detectContext)).toBeNull();
      expect(detectVscodeReferences('[1, 2', file, detectContext)).toBeNull();
      expect(
        detectVscodeReferences('{"editor.tabSize": 2, // x\n', file, detectContext),
      ).toBeNull();
    }
  });
});

describe('vscode adapter: settings.json', () => {
  it('reports interpreter settings, the venv folder and terminal PYTHONPATH', () => {
    const text = `{
  // Interpreter for the scripts
  "python.defaultInterpreterPath": "\${workspaceFolder}/scripts/.venv/bin/python",
  "python.pythonPath": "replay/.venv",
  "python.venvPath": "~/.virtualenvs",
  "python.analysis.extraPaths": ["build/Debug/debug"],
  "terminal.integrated.env.linux": { "PYTHONPATH": "\${workspaceFolder}/build/Debug/debug:\${env:PYTHONPATH}" },
  "editor.rulers": [100],
}`;
    const refs = detect(text, '.vscode/settings.json');
    expect(refs).toEqual([
      {
        file: '.vscode/settings.json',
        line: 3,
        column: 37,
        span: { start: 71, end: 114 },
        text: '${workspaceFolder}/scripts/.venv/bin/python',
        kind: 'interpreter-path',
        adapter: 'vscode',
        consumer: 'VS Code setting python.defaultInterpreterPath',
        environment: 'scripts/.venv',
        meta: {
          setting: 'python.defaultInterpreterPath',
          jsonPath: ['python.defaultInterpreterPath'],
          resolved: 'scripts/.venv/bin/python',
        },
      },
      {
        file: '.vscode/settings.json',
        line: 4,
        column: 25,
        span: { start: 141, end: 153 },
        text: 'replay/.venv',
        kind: 'interpreter-path',
        adapter: 'vscode',
        consumer: 'VS Code setting python.pythonPath',
        environment: 'replay/.venv',
        meta: {
          setting: 'python.pythonPath',
          jsonPath: ['python.pythonPath'],
          resolved: 'replay/.venv',
          deprecated: true,
        },
      },
      {
        file: '.vscode/settings.json',
        line: 5,
        column: 23,
        span: { start: 178, end: 192 },
        text: '~/.virtualenvs',
        kind: 'venv-variable',
        adapter: 'vscode',
        consumer: 'VS Code setting python.venvPath',
        environment: ENV_UNKNOWN,
        skipReason: 'unsupported',
        meta: {
          setting: 'python.venvPath',
          jsonPath: ['python.venvPath'],
          venvContainer: '~/.virtualenvs',
        },
      },
      {
        file: '.vscode/settings.json',
        line: 7,
        column: 53,
        span: { start: 302, end: 356 },
        text: '${workspaceFolder}/build/Debug/debug:${env:PYTHONPATH}',
        kind: 'pythonpath',
        adapter: 'vscode',
        consumer: 'VS Code setting terminal.integrated.env.linux',
        environment: 'scripts/.venv',
        meta: {
          setting: 'terminal.integrated.env.linux',
          jsonPath: ['terminal.integrated.env.linux', 'PYTHONPATH'],
          paths: ['build/Debug/debug'],
          appends: true,
        },
      },
    ]);
    expectExactSpans(text, refs);
  });

  it('reports a setting already on the unified venv, system and variable interpreters', () => {
    const text = `{
  "python.defaultInterpreterPath": "python/.venv/bin/python3",
  "python.pythonPath": "/usr/local/bin/python3.11"
}`;
    expect(brief(detect(text, '.vscode/settings.json'))).toEqual([
      {
        line: 2,
        text: 'python/.venv/bin/python3',
        kind: 'interpreter-path',
        consumer: 'VS Code setting python.defaultInterpreterPath',
        environment: 'python/.venv',
        skipReason: undefined,
      },
      {
        line: 3,
        text: '/usr/local/bin/python3.11',
        kind: 'interpreter-path',
        consumer: 'VS Code setting python.pythonPath',
        environment: ENV_SYSTEM,
        skipReason: undefined,
      },
    ]);
    expect(
      brief(
        detect(
          '{"python.defaultInterpreterPath": "${env:HOME}/envs/x/bin/python"}',
          '.vscode/settings.json',
        ),
      ),
    ).toEqual([
      {
        line: 1,
        text: '${env:HOME}/envs/x/bin/python',
        kind: 'interpreter-path',
        consumer: 'VS Code setting python.defaultInterpreterPath',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
      },
    ]);
  });

  it('reports MCP servers defined in settings', () => {
    const text =
      '{"mcp": {"servers": {"docs": {"command": "scripts/.venv/bin/python", "args": ["d.py"]}}}}';
    const refs = detect(text, '.vscode/settings.json');
    expect(brief(refs)).toEqual([
      {
        line: 1,
        text: 'scripts/.venv/bin/python',
        kind: 'interpreter-path',
        consumer: 'MCP server docs',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
    ]);
    expect([refs[0]?.adapter, refs[0]?.meta?.jsonPath]).toEqual([
      'vscode',
      ['mcp', 'servers', 'docs', 'command'],
    ]);
  });

  it('does not report look-alikes: comments, other settings, strings that mention python', () => {
    const text = `{
  // "python.defaultInterpreterPath": "scripts/.venv/bin/python",
  /* python.pythonPath = scripts/.venv/bin/python */
  "python.analysis.extraPaths": ["scripts/.venv/lib/python3.11/site-packages"],
  "python.terminal.activateEnvironment": true,
  "files.exclude": { "**/.venv": true },
  "cSpell.words": ["python3", "venv"],
  "terminal.integrated.env.linux": { "PATH": "\${workspaceFolder}/scripts/.venv/bin:\${env:PATH}" },
  "[python]": { "editor.formatOnSave": true }
}`;
    expect(detect(text, '.vscode/settings.json')).toEqual([]);
  });
});

describe('vscode adapter: tasks.json', () => {
  it('reports the seed ticket tasks through the shell scanner', () => {
    const text = `{
  // Tasks for the MSD workspace.
  "version": "2.0.0",
  "tasks": [
    { "label": "Configure (debug)", "type": "shell", "command": "cmake --preset Debug" },
    {
      "label": "Generate record layers",
      "type": "process",
      "command": "\${workspaceFolder}/scripts/.venv/bin/python3",
      "args": ["\${workspaceFolder}/scripts/codegen/generate_record_layers.py", "--output", "out.hpp"],
    },
    {
      "label": "Index symbols",
      "type": "shell",
      "command": "scripts/.venv/bin/python3 scripts/traceability/index_symbols.py --src msd",
    },
    { "label": "Start replay server", "type": "shell", "command": "\${workspaceFolder}/replay/start_server.sh" },
  ],
}`;
    const refs = detect(text, '.vscode/tasks.json');
    expect(refs).toEqual([
      {
        file: '.vscode/tasks.json',
        line: 9,
        column: 19,
        span: { start: 251, end: 295 },
        text: '${workspaceFolder}/scripts/.venv/bin/python3',
        kind: 'python-command',
        adapter: 'vscode',
        consumer: 'VS Code task Generate record layers',
        environment: 'scripts/.venv',
        meta: {
          task: 'Generate record layers',
          type: 'process',
          cwd: '.',
          variable: 'workspaceFolder',
          jsonPath: ['tasks', '1', 'command'],
        },
      },
      {
        file: '.vscode/tasks.json',
        line: 15,
        column: 19,
        span: { start: 487, end: 512 },
        text: 'scripts/.venv/bin/python3',
        kind: 'python-command',
        adapter: 'vscode',
        consumer: 'VS Code task Index symbols',
        environment: 'scripts/.venv',
        meta: {
          task: 'Index symbols',
          type: 'shell',
          cwd: '.',
          jsonPath: ['tasks', '2', 'command'],
        },
      },
    ]);
    expectExactSpans(text, refs);
  });

  it('reads argv tasks, options.cwd, options.env, platform sections; the workspace interpreter is no reference', () => {
    const text = `{"version": "2.0.0",
 "options": {"env": {"PYTHONPATH": "\${workspaceFolder}/build/lib:\${env:PYTHONPATH}"}},
 "tasks": [
  {"label": "make venv", "type": "process", "command": "python3", "args": ["-m", "venv", ".venv"]},
  {"label": "deps", "type": "shell", "command": "source .venv/bin/activate && pip install -r requirements.txt", "options": {"cwd": "\${workspaceFolder}/scripts", "env": {"PYTHONPATH": "gen"}}},
  {"label": "gen", "type": "shell", "command": "\${config:python.defaultInterpreterPath}", "args": ["gen.py", "--out dir"]},
  {"label": "win", "type": "shell", "command": "python3 x.py", "windows": {"command": ".venv\\\\Scripts\\\\python.exe x.py"}},
  {"label": "echo", "type": "shell", "command": "echo python3 -m venv .venv", "detail": "python3 scripts/.venv/bin/python"},
  {"label": "npm", "type": "npm", "script": "build"}
 ]}`;
    const refs = detect(text, '.vscode/tasks.json');
    expect(brief(refs)).toEqual([
      {
        line: 2,
        text: '${workspaceFolder}/build/lib:${env:PYTHONPATH}',
        kind: 'pythonpath',
        consumer: 'VS Code tasks',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
      {
        line: 4,
        text: 'python3", "args": ["-m", "venv", ".venv',
        kind: 'venv-create',
        consumer: 'VS Code task make venv',
        environment: '.venv',
        skipReason: undefined,
      },
      {
        line: 5,
        text: '.venv/bin/activate',
        kind: 'venv-activate',
        consumer: 'VS Code task deps',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 5,
        text: 'pip install -r requirements.txt',
        kind: 'pip-install',
        consumer: 'VS Code task deps',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 5,
        text: 'gen',
        kind: 'pythonpath',
        consumer: 'VS Code task deps',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 7,
        text: 'python3',
        kind: 'python-command',
        consumer: 'VS Code task win',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
      {
        line: 7,
        text: '.venv\\\\Scripts\\\\python.exe',
        kind: 'python-command',
        consumer: 'VS Code task win',
        environment: '.venv',
        skipReason: undefined,
      },
    ]);
    expect(refs.map((ref) => ref.meta?.jsonPath)).toEqual([
      ['options', 'env', 'PYTHONPATH'],
      ['tasks', '0', 'command'],
      ['tasks', '1', 'command'],
      ['tasks', '1', 'command'],
      ['tasks', '1', 'options', 'env', 'PYTHONPATH'],
      ['tasks', '3', 'command'],
      ['tasks', '3', 'windows', 'command'],
    ]);
    expect(refs.map((ref) => ref.meta?.paths ?? ref.meta?.requirements ?? null)).toEqual([
      ['build/lib'],
      null,
      null,
      ['scripts/requirements.txt'],
      ['scripts/gen'],
      null,
      null,
    ]);
    expectExactSpans(text, refs);
  });

  it('keeps exact spans with CRLF line endings and escaped quotes', () => {
    const text =
      '{\r\n  "tasks": [\r\n    {\r\n      "label": "idx",\r\n      "type": "shell",\r\n      "command": "cd scripts && \\"$PWD/.venv/bin/python\\" idx.py"\r\n    }\r\n  ]\r\n}\r\n';
    const refs = detect(text, '.vscode/tasks.json');
    expect(brief(refs)).toEqual([
      {
        line: 6,
        text: '\\"$PWD/.venv/bin/python\\"',
        kind: 'python-command',
        consumer: 'VS Code task idx',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
    ]);
    expectExactSpans(text, refs);
  });
});

describe('vscode adapter: launch.json and workspaces', () => {
  it('reports the python key and env PYTHONPATH of launch configurations', () => {
    const text = `{
  "version": "0.2.0",
  "configurations": [
    {
      "name": "Replay server",
      "type": "debugpy",
      "request": "launch",
      "module": "uvicorn",
      "python": "\${workspaceFolder}/replay/.venv/bin/python",
      "cwd": "\${workspaceFolder}/replay",
      "env": { "PYTHONPATH": "../build/Debug/debug" }
    },
    { "name": "Index", "type": "debugpy", "request": "launch", "program": "scripts/idx.py", "env": { "PYTHONPATH": "build" } },
    { "name": "C++ reader", "type": "cppdbg", "program": "build/reader", "env": { "PATH": "/usr/bin" } }
  ]
}`;
    const refs = detect(text, '.vscode/launch.json');
    expect(brief(refs)).toEqual([
      {
        line: 9,
        text: '${workspaceFolder}/replay/.venv/bin/python',
        kind: 'interpreter-path',
        consumer: 'VS Code launch Replay server',
        environment: 'replay/.venv',
        skipReason: undefined,
      },
      {
        line: 11,
        text: '../build/Debug/debug',
        kind: 'pythonpath',
        consumer: 'VS Code launch Replay server',
        environment: 'replay/.venv',
        skipReason: undefined,
      },
      {
        line: 13,
        text: 'build',
        kind: 'pythonpath',
        consumer: 'VS Code launch Index',
        environment: ENV_UNKNOWN,
        skipReason: undefined,
      },
    ]);
    expect(refs.map((ref) => ref.meta)).toEqual([
      {
        launch: 'Replay server',
        type: 'debugpy',
        cwd: 'replay',
        module: 'uvicorn',
        jsonPath: ['configurations', '0', 'python'],
        resolved: 'replay/.venv/bin/python',
      },
      {
        launch: 'Replay server',
        type: 'debugpy',
        cwd: 'replay',
        module: 'uvicorn',
        jsonPath: ['configurations', '0', 'env', 'PYTHONPATH'],
        paths: ['../build/Debug/debug'],
      },
      {
        launch: 'Index',
        type: 'debugpy',
        program: 'scripts/idx.py',
        jsonPath: ['configurations', '1', 'env', 'PYTHONPATH'],
        paths: ['build'],
      },
    ]);
  });

  it('reads the settings, tasks and launch sections of a .code-workspace file', () => {
    const text = `{
  "folders": [{ "path": "." }],
  "settings": { "python.defaultInterpreterPath": "tools/venv/bin/python" },
  "tasks": { "version": "2.0.0", "tasks": [{ "label": "t", "type": "shell", "command": "python3 -m pip install -e ." }] },
  "launch": { "configurations": [{ "name": "l", "type": "debugpy", "python": "python3" }] }
}`;
    expect(brief(detect(text, 'msd.code-workspace'))).toEqual([
      {
        line: 3,
        text: 'tools/venv/bin/python',
        kind: 'interpreter-path',
        consumer: 'VS Code setting python.defaultInterpreterPath',
        environment: 'tools/venv',
        skipReason: undefined,
      },
      {
        line: 4,
        text: 'python3 -m pip install -e .',
        kind: 'pip-install',
        consumer: 'VS Code task t',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
      {
        line: 5,
        text: 'python3',
        kind: 'interpreter-path',
        consumer: 'VS Code launch l',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
    ]);
  });

  it('never throws and keeps spans in bounds on arbitrary and mutated input', () => {
    const seeds = [
      '{"python.defaultInterpreterPath": "${workspaceFolder}/a/.venv/bin/python", "terminal.integrated.env.osx": {"PYTHONPATH": "x:${env:PYTHONPATH}"}}',
      '{"tasks": [{"label": "a", "type": "process", "command": "python3", "args": ["-m", "venv", "v x"], "options": {"cwd": "s", "env": {"PYTHONPATH": "p"}}}, {"label": "b", "type": "shell", "command": "source v/bin/activate && pip install -r r.txt"}]}',
      '{"configurations": [{"name": "n", "python": ".venv/bin/python", "env": {"PYTHONPATH": "a;b"}}]}',
    ];
    const files = ['.vscode/settings.json', '.vscode/tasks.json', '.vscode/launch.json'];
    const mutated = fc
      .tuple(fc.nat(seeds.length - 1), fc.nat(200), fc.nat(20), fc.string({ maxLength: 8 }))
      .map(([which, at, cut, insert]) => {
        const seed = seeds[which]!;
        const p = at % (seed.length + 1);
        return seed.slice(0, p) + insert + seed.slice(p + cut);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutated), (text) => {
        for (const file of files) {
          for (const ref of detectVscodeReferences(text, file, detectContext)?.references ?? []) {
            expect(ref.span.start).toBeGreaterThanOrEqual(0);
            expect(ref.span.end).toBeLessThanOrEqual(text.length);
            expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('tasks and launch configurations that run the workspace interpreter', () => {
  const settings =
    '{ "python.defaultInterpreterPath": "${workspaceFolder}/python/.venv/bin/python3" }\n';
  const tasks = `{"version": "2.0.0", "tasks": [
  {"label": "gen", "type": "process", "command": "\${command:python.interpreterPath}", "args": ["gen.py"]},
  {"label": "test", "type": "shell", "command": " \${config:python.defaultInterpreterPath} -m pytest"},
  {"label": "argv", "type": "shell", "command": ["\${config:python.defaultInterpreterPath}", "-m", "http.server"]},
  {"label": "pip", "type": "shell", "command": "\${config:python.defaultInterpreterPath}/../pip install x"},
  {"label": "env", "type": "process", "command": "\${command:python.interpreterPath}", "args": ["gen.py"], "options": {"env": {"PYTHONPATH": "src"}}}
]}`;
  const launch = `{"configurations": [
  {"name": "a", "type": "debugpy", "request": "launch", "program": "x.py", "python": "\${command:python.interpreterPath}"},
  {"name": "b", "type": "debugpy", "request": "launch", "program": "x.py", "python": "\${config:python.defaultInterpreterPath}", "env": {"PYTHONPATH": "src"}}
]}`;

  it('are no references of their own: they follow the setting, which adopt points at the venv', () => {
    // Only the program that is not the interpreter itself is reported.
    expect(brief(detect(tasks, '.vscode/tasks.json'))).toEqual([
      {
        line: 5,
        text: '${config:python.defaultInterpreterPath}/../pip install x',
        kind: 'pip-install',
        consumer: 'VS Code task pip',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
      },
      {
        // Its PYTHONPATH serves the interpreter selected in the editor, as a launch's does.
        line: 6,
        text: 'src',
        kind: 'pythonpath',
        consumer: 'VS Code task env',
        environment: ENV_UNKNOWN,
        skipReason: undefined,
      },
    ]);
    // The debugger runs the interpreter selected in the editor, as without `python`.
    expect(brief(detect(launch, '.vscode/launch.json'))).toEqual([
      {
        line: 3,
        text: 'src',
        kind: 'pythonpath',
        consumer: 'VS Code launch b',
        environment: ENV_UNKNOWN,
        skipReason: undefined,
      },
    ]);
  });

  it('do not fail scan --check beside a setting on the unified venv', () => {
    const tasksOnly = tasks.replace(/,\n {2}\{"label": "pip"[^\n]*\n[^\n]*/, '');
    const launchOnly = launch.replace(', "env": {"PYTHONPATH": "src"}', '');
    const references = classifyReferences(
      [
        ...detect(settings, '.vscode/settings.json'),
        ...detect(tasksOnly, '.vscode/tasks.json'),
        ...detect(launchOnly, '.vscode/launch.json'),
      ],
      'python/.venv',
    );
    expect(references.map((ref) => [ref.file, ref.text, ref.unified, failsCheck(ref)])).toEqual([
      ['.vscode/settings.json', '${workspaceFolder}/python/.venv/bin/python3', true, false],
    ]);
  });
});
