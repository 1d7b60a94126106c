// biome-ignore-all lint/suspicious/noTemplateCurlyInString: VS Code spells its variables ${name}.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adoptFacts,
  commandLines,
  detectReferences,
  expectOnlySkippedLeft,
  expectRewriteSettled,
  type RewriteRun,
  runRewriter,
} from '../../../test/helpers/rewrite.js';
import type { AdoptFacts } from '../../core/adopt/types.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

const FACTS: Partial<AdoptFacts> = {
  declaredPackages: ['fastmcp', 'pytest'],
  paths: ['build/debug/python'],
};

function rewrite(
  text: string,
  file: string,
  options: { facts?: Partial<AdoptFacts>; exists?: boolean } = {},
): RewriteRun {
  return runRewriter(adapter, rewriter, text, file, {
    facts: { ...FACTS, ...options.facts },
    exists: options.exists ?? true,
  });
}

/** Every reference is on the unified venv or gone, skipped ones apart; a second run changes nothing. */
function expectSettled(run: RewriteRun, file: string): void {
  expectRewriteSettled(run, (text) => rewrite(text, file));
}

describe('vscode rewriter: tasks', () => {
  it('moves the seed ticket tasks, keeping comments and trailing commas', () => {
    const text = readFileSync(
      new URL('../../../test/fixtures/seed-before/.vscode/tasks.json', import.meta.url),
      'utf8',
    );
    const run = rewrite(text, '.vscode/tasks.json');
    expect(run.text).toEqual(
      text
        .replace(
          '"${workspaceFolder}/scripts/.venv/bin/python3"',
          '"${workspaceFolder}/python/.venv/bin/python3"',
        )
        .replace(
          '"scripts/.venv/bin/python3 scripts/traceability/index_symbols.py',
          '"python/.venv/bin/python3 scripts/traceability/index_symbols.py',
        ),
    );
    expect(run.result.edits.map((edit) => edit.reason)).toEqual([
      'interpreter → python/.venv/bin/python3',
      'interpreter → python/.venv/bin/python3',
    ]);
    expectSettled(run, '.vscode/tasks.json');
  });

  it('turns venv set-up into python/setup.sh, in shell and process tasks', () => {
    const text = `{
  "version": "2.0.0",
  "tasks": [
    { "label": "venv", "type": "process", "command": "python3", "args": ["-m", "venv", ".venv"] },
    {
      "label": "deps",
      "type": "shell",
      "command": "python3 -m venv .venv && source .venv/bin/activate && pip install -r requirements.txt && npm ci"
    },
    { "label": "tools", "type": "shell", "command": "pip", "args": ["install", "pytest"] },
    { "label": "both", "type": "shell", "command": "npm ci && python3 -m venv", "args": [".venv"] },
    { "label": "lint", "type": "shell", "command": "pip install black && black ." }
  ]
}
`;
    const run = rewrite(text, '.vscode/tasks.json');
    expect(run.text).toEqual(`{
  "version": "2.0.0",
  "tasks": [
    { "label": "venv", "type": "process", "command": "python/setup.sh" },
    {
      "label": "deps",
      "type": "shell",
      "command": "python/setup.sh && source python/.venv/bin/activate && npm ci"
    },
    { "label": "tools", "type": "shell", "command": "python/setup.sh" },
    { "label": "both", "type": "shell", "command": "npm ci && python/setup.sh" },
    { "label": "lint", "type": "shell", "command": "pip install black && black ." }
  ]
}
`);
    expect(run.result.skipped.map((entry) => [entry.reference.text, entry.reason])).toEqual([
      [
        'pip install black',
        'installs black, which python/pyproject.toml does not declare: add it (onevenv add), then remove this install',
      ],
    ]);
    expectSettled(run, '.vscode/tasks.json');
  });

  it('spells paths from the task cwd, and from the directory a cd moves to', () => {
    const text = `{
  "tasks": [
    { "label": "a", "type": "shell", "command": "python3 gen.py", "options": { "cwd": "\${workspaceFolder}/tools" } },
    { "label": "b", "type": "shell", "command": "cd replay && .venv/bin/python -m pytest" },
    { "label": "c", "type": "shell", "command": "cd replay && python3 -m pytest" }
  ]
}
`;
    const run = rewrite(text, '.vscode/tasks.json');
    expect(run.text).toEqual(`{
  "tasks": [
    { "label": "a", "type": "shell", "command": "../python/.venv/bin/python3 gen.py", "options": { "cwd": "\${workspaceFolder}/tools" } },
    { "label": "b", "type": "shell", "command": "cd replay && ../python/.venv/bin/python3 -m pytest" },
    { "label": "c", "type": "shell", "command": "cd replay && ../python/.venv/bin/python3 -m pytest" }
  ]
}
`);
    expectSettled(run, '.vscode/tasks.json');
  });

  it('removes PYTHONPATH the venv provides from task env, and keeps the rest following the task', () => {
    const text = `{
  "options": { "env": { "PYTHONPATH": "build/debug/python" } },
  "tasks": [
    {
      "label": "tests",
      "type": "shell",
      "command": "replay/.venv/bin/python -m pytest",
      "options": { "env": { "PYTHONPATH": "build/debug/python" } }
    },
    {
      "label": "gen",
      "type": "shell",
      "command": "scripts/.venv/bin/python gen.py",
      "options": { "cwd": "scripts", "env": { "PYTHONPATH": "src", "LOG": "1" } }
    }
  ]
}
`;
    const run = rewrite(text, '.vscode/tasks.json');
    expect(run.text).toEqual(`{
  "tasks": [
    {
      "label": "tests",
      "type": "shell",
      "command": "python/.venv/bin/python3 -m pytest"
    },
    {
      "label": "gen",
      "type": "shell",
      "command": "../python/.venv/bin/python3 gen.py",
      "options": { "cwd": "scripts", "env": { "PYTHONPATH": "src", "LOG": "1" } }
    }
  ]
}
`);
    expect(run.after.map((ref) => [ref.text, ref.environment])).toEqual([
      ['python/.venv/bin/python3', 'python/.venv'],
      ['../python/.venv/bin/python3', 'python/.venv'],
      ['src', 'python/.venv'],
    ]);
    expectSettled(run, '.vscode/tasks.json');
  });

  it('skips what it cannot move, with reasons', () => {
    const text = `{
  "options": { "env": { "PYTHONPATH": "src" } },
  "tasks": [
    { "label": "sel", "type": "shell", "command": "\${config:python.defaultInterpreterPath} -m pytest" },
    { "label": "home", "type": "shell", "command": "$HOME/venvs/tools/bin/python x.py" }
  ]
}
`;
    const run = rewrite(text, '.vscode/tasks.json');
    expect(run.result.edits).toEqual([]);
    expect(run.result.skipped.map((entry) => [entry.reference.text, entry.reason])).toEqual([
      [
        '$HOME/venvs/tools/bin/python',
        'built from a variable onevenv cannot resolve: point it at python/.venv by hand',
      ],
      [
        'src',
        "PYTHONPATH names src, not in [tool.onevenv] paths, and python3 on PATH (the file's tasks) stays off python/.venv: add it to paths",
      ],
    ]);
  });

  it('rewrites what it can read of a malformed file, and nothing in an empty one', () => {
    expect(rewrite('', '.vscode/tasks.json').result).toEqual({ edits: [], skipped: [], notes: [] });
    const run = rewrite(
      '{ "tasks": [ { "label": "t", "type": "shell", "command": "scripts/.venv/bin/python x.py"',
      '.vscode/tasks.json',
    );
    expect(run.text).toEqual(
      '{ "tasks": [ { "label": "t", "type": "shell", "command": "python/.venv/bin/python3 x.py"',
    );
    expectSettled(run, '.vscode/tasks.json');
  });

  it('keeps CRLF line endings', () => {
    const text =
      '{\r\n  "tasks": [\r\n    {\r\n      "label": "t",\r\n      "command": "scripts/.venv/bin/python3 -m tool",\r\n      "options": {\r\n        "env": {\r\n          "PYTHONPATH": "build/debug/python"\r\n        }\r\n      }\r\n    }\r\n  ]\r\n}\r\n';
    const run = rewrite(text, '.vscode/tasks.json');
    expect(run.text).toEqual(
      '{\r\n  "tasks": [\r\n    {\r\n      "label": "t",\r\n      "command": "python/.venv/bin/python3 -m tool"\r\n    }\r\n  ]\r\n}\r\n',
    );
    expectSettled(run, '.vscode/tasks.json');
  });

  it('leaves only what it skips off the venv, whatever the command line, and settles in one pass', () => {
    const facts = { declaredPackages: ['fastapi'], editables: ['replay'] };
    fc.assert(
      fc.property(commandLines, (line) => {
        const text = `{ "tasks": [{ "label": "t", "type": "shell", "command": ${JSON.stringify(line)} }] }\n`;
        const run = rewrite(text, '.vscode/tasks.json', { facts });
        expectOnlySkippedLeft(run);
        expect(rewrite(run.text, '.vscode/tasks.json', { facts }).result.edits).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});

describe('vscode rewriter: settings and launch', () => {
  it('points the interpreter settings at the venv and drops terminal PYTHONPATH it provides', () => {
    const text = `{
  // Interpreter for the scripts
  "python.defaultInterpreterPath": "scripts/.venv",
  "python.pythonPath": "\${workspaceFolder}/replay/.venv/bin/python3.11",
  "python.venvPath": "~/.virtualenvs",
  "python.analysis.extraPaths": ["scripts/.venv/lib/python3.11/site-packages"],
  "terminal.integrated.env.linux": {
    "PYTHONPATH": "build/debug/python",
  },
  "terminal.integrated.env.osx": { "PYTHONPATH": "build/debug/python", "VIRTUAL_ENV": "scripts/.venv" },
}
`;
    const run = rewrite(text, '.vscode/settings.json');
    expect(run.text).toEqual(`{
  // Interpreter for the scripts
  "python.defaultInterpreterPath": "\${workspaceFolder}/python/.venv/bin/python3",
  "python.pythonPath": "\${workspaceFolder}/python/.venv/bin/python3",
  "python.venvPath": "~/.virtualenvs",
  "python.analysis.extraPaths": ["scripts/.venv/lib/python3.11/site-packages"],
  "terminal.integrated.env.osx": { "VIRTUAL_ENV": "\${workspaceFolder}/python/.venv" },
}
`);
    expect(run.result.skipped.map((entry) => entry.reference.text)).toEqual(['~/.virtualenvs']);
    expectSettled(run, '.vscode/settings.json');
  });

  it('adds python.defaultInterpreterPath to an existing settings file when tasks beside it move', () => {
    const tasks =
      '{ "tasks": [ { "label": "t", "type": "shell", "command": "scripts/.venv/bin/python x.py" } ] }\n';
    const references = detectReferences(adapter, tasks, '.vscode/tasks.json');
    expect(rewriter.extraFiles?.(adoptFacts({ references }))).toEqual(['.vscode/settings.json']);
    const settings =
      '{\n\t"editor.tabSize": 4,\n\t"files.exclude": {\n\t\t"**/.venv": true\n\t}\n}\n';
    const run = rewrite(settings, '.vscode/settings.json', { facts: { references } });
    expect(run.text).toEqual(
      '{\n\t"editor.tabSize": 4,\n\t"files.exclude": {\n\t\t"**/.venv": true\n\t},\n\t"python.defaultInterpreterPath": "${workspaceFolder}/python/.venv/bin/python3"\n}\n',
    );
    expect(run.result.edits.map((edit) => edit.reason)).toEqual([
      'python.defaultInterpreterPath → python/.venv/bin/python3',
      'python.defaultInterpreterPath → python/.venv/bin/python3',
    ]);
    expect(
      rewrite(run.text, '.vscode/settings.json', { facts: { references } }).result.edits,
    ).toEqual([]);
    // A settings file that does not exist is not created; one already moved is left alone.
    expect(
      rewrite('', '.vscode/settings.json', { facts: { references }, exists: false }).result.edits,
    ).toEqual([]);
    expect(rewrite(settings, '.vscode/settings.json').result.edits).toEqual([]);
  });

  it('moves launch python, drops covered PYTHONPATH, names the venv where other paths need it', () => {
    const text = `{
  "version": "0.2.0",
  "configurations": [
    {
      "name": "server",
      "type": "debugpy",
      "request": "launch",
      "module": "replay.server",
      "python": "\${workspaceFolder}/replay/.venv/bin/python",
      "env": { "PYTHONPATH": "build/debug/python" }
    },
    {
      "name": "gen",
      "type": "debugpy",
      "request": "launch",
      "program": "scripts/gen.py",
      "env": {
        "PYTHONPATH": "scripts/lib"
      }
    }
  ]
}
`;
    const run = rewrite(text, '.vscode/launch.json');
    expect(run.text).toEqual(`{
  "version": "0.2.0",
  "configurations": [
    {
      "name": "server",
      "type": "debugpy",
      "request": "launch",
      "module": "replay.server",
      "python": "\${workspaceFolder}/python/.venv/bin/python3"
    },
    {
      "name": "gen",
      "type": "debugpy",
      "request": "launch",
      "program": "scripts/gen.py",
      "env": {
        "PYTHONPATH": "scripts/lib"
      },
      "python": "\${workspaceFolder}/python/.venv/bin/python3"
    }
  ]
}
`);
    expectSettled(run, '.vscode/launch.json');
  });

  it('moves MCP servers in settings and the sections of a .code-workspace file', () => {
    const text = `{
  "folders": [{ "path": "." }],
  "settings": {
    "python.defaultInterpreterPath": "scripts/.venv/bin/python",
    "mcp": { "servers": { "docs": { "command": "uv", "args": ["run", "python", "docs.py"] } } }
  },
  "tasks": { "version": "2.0.0", "tasks": [{ "label": "t", "type": "shell", "command": "scripts/.venv/bin/python t.py" }] },
  "launch": { "configurations": [{ "name": "l", "type": "debugpy", "python": "scripts/.venv/bin/python" }] }
}
`;
    const run = rewrite(text, 'msd.code-workspace');
    expect(run.text).toEqual(`{
  "folders": [{ "path": "." }],
  "settings": {
    "python.defaultInterpreterPath": "\${workspaceFolder}/python/.venv/bin/python3",
    "mcp": { "servers": { "docs": { "command": "python/.venv/bin/python3", "args": ["docs.py"] } } }
  },
  "tasks": { "version": "2.0.0", "tasks": [{ "label": "t", "type": "shell", "command": "python/.venv/bin/python3 t.py" }] },
  "launch": { "configurations": [{ "name": "l", "type": "debugpy", "python": "\${workspaceFolder}/python/.venv/bin/python3" }] }
}
`);
    expectSettled(run, 'msd.code-workspace');
  });

  it('skips an interpreter built from another variable, and leaves unified files alone', () => {
    const text = '{ "python.defaultInterpreterPath": "${env:HOME}/venvs/x/bin/python" }\n';
    const run = rewrite(text, '.vscode/settings.json');
    expect(run.result).toEqual({
      edits: [],
      skipped: [
        {
          reference: run.before[0],
          reason: 'built from a variable onevenv cannot resolve: point it at python/.venv by hand',
        },
      ],
      notes: [],
    });
    const unified = `{
  "python.defaultInterpreterPath": "\${workspaceFolder}/python/.venv/bin/python3",
  "terminal.integrated.env.linux": { "PYTHONPATH": "scripts" }
}
`;
    expect(rewrite(unified, '.vscode/settings.json').result).toEqual({
      edits: [],
      skipped: [],
      notes: [],
    });
    const tasks =
      '{ "tasks": [{ "label": "venv docs", "type": "shell", "command": "echo scripts/.venv/bin/python3 && python/.venv/bin/python3 -m x" }] }';
    expect(rewrite(tasks, '.vscode/tasks.json').result).toEqual({
      edits: [],
      skipped: [],
      notes: [],
    });
  });

  it('moves generated task files onto the venv in one pass, and a second pass changes nothing', () => {
    const command = fc.constantFrom(
      '"type": "shell", "command": "scripts/.venv/bin/python3 x.py"',
      '"type": "shell", "command": "python3", "args": ["-m", "pytest"]',
      '"type": "process", "command": "${workspaceFolder}/tools/venv/bin/python", "args": ["x.py"]',
      '"type": "shell", "command": "source scripts/.venv/bin/activate && python x.py"',
      '"type": "shell", "command": "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"',
      '"type": "process", "command": "python3", "args": ["-m", "venv", "scripts/.venv"]',
      '"type": "shell", "command": "cd replay && python3 -m venv .venv && . .venv/bin/activate && pip install -e ."',
      '"type": "shell", "command": "make all"',
    );
    const env = fc.constantFrom(
      '',
      ', "options": { "env": { "PYTHONPATH": "build/debug/python" } }',
    );
    const task = fc.record({ command, env });
    fc.assert(
      fc.property(fc.array(task, { minLength: 1, maxLength: 4 }), fc.boolean(), (tasks, crlf) => {
        const body = tasks
          .map(({ command, env }, i) => `    { "label": "t${i}", ${command}${env} }`)
          .join(',\n');
        let text = `{\n  "version": "2.0.0",\n  "tasks": [\n${body}\n  ]\n}\n`;
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const run = rewrite(text, '.vscode/tasks.json', { facts: { editables: ['replay'] } });
        expect(run.result.skipped).toEqual([]);
        expect(run.after.filter((ref) => !ref.unified)).toEqual([]);
        expect(
          rewrite(run.text, '.vscode/tasks.json', { facts: { editables: ['replay'] } }).result
            .edits,
        ).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
