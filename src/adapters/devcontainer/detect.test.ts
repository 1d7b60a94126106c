// biome-ignore-all lint/suspicious/noTemplateCurlyInString: devcontainer.json spells its variables ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brief, detectContext, expectExactSpans } from '../../../test/helpers/adapter.js';
import { ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN, type Reference } from '../types.js';
import { detectDevcontainerReferences, isDevcontainerFile } from './detect.js';

const FILE = '.devcontainer/devcontainer.json';

function detect(text: string, file = FILE): Reference[] {
  return detectDevcontainerReferences(text, file, detectContext)?.references ?? [];
}

describe('devcontainer adapter', () => {
  it('reads devcontainer.json in its three places', () => {
    expect(
      [
        '.devcontainer/devcontainer.json',
        '.devcontainer.json',
        '.devcontainer/python/devcontainer.json',
        'sub/.devcontainer/devcontainer.json',
        '.devcontainer/a/b/devcontainer.json',
        'devcontainer.json',
        '.devcontainer/Dockerfile',
      ].map(isDevcontainerFile),
    ).toEqual([true, true, true, true, false, false, false]);
  });

  it('reports lifecycle commands, env and Python settings of a fragmented container', () => {
    const text = `{
  "name": "msd",
  "image": "mcr.microsoft.com/devcontainers/python:3.11",
  "features": { "ghcr.io/devcontainers/features/python:1": {} },
  "containerEnv": { "PYTHONPATH": "\${containerWorkspaceFolder}/build/Debug/debug" },
  "remoteEnv": { "PATH": "/workspaces/msd/scripts/.venv/bin:\${containerEnv:PATH}" },
  "onCreateCommand": "python3 -m venv scripts/.venv && scripts/.venv/bin/pip install -r scripts/requirements.txt",
  "postCreateCommand": ["/workspaces/msd/replay/.venv/bin/python", "-m", "pip", "install", "-e", "replay"],
  "postStartCommand": { "server": "cd replay && ./start_server.sh", "idx": "source scripts/.venv/bin/activate && python scripts/idx.py" },
  "customizations": { "vscode": { "settings": { "python.defaultInterpreterPath": "/workspaces/msd/scripts/.venv/bin/python" } } }
}`;
    const refs = detect(text);
    expect(brief(refs)).toEqual([
      {
        line: 5,
        text: '${containerWorkspaceFolder}/build/Debug/debug',
        kind: 'pythonpath',
        consumer: 'devcontainer containerEnv',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 6,
        text: '/workspaces/msd/scripts/.venv/bin:${containerEnv:PATH}',
        kind: 'venv-activate',
        consumer: 'devcontainer remoteEnv',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 7,
        text: 'python3 -m venv scripts/.venv',
        kind: 'venv-create',
        consumer: 'devcontainer onCreateCommand',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 7,
        text: 'scripts/.venv/bin/pip install -r scripts/requirements.txt',
        kind: 'pip-install',
        consumer: 'devcontainer onCreateCommand',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 8,
        text: '/workspaces/msd/replay/.venv/bin/python", "-m", "pip", "install", "-e", "replay',
        kind: 'pip-install',
        consumer: 'devcontainer postCreateCommand',
        environment: 'replay/.venv',
        skipReason: undefined,
      },
      {
        line: 9,
        text: 'scripts/.venv/bin/activate',
        kind: 'venv-activate',
        consumer: 'devcontainer postStartCommand',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 9,
        text: 'python',
        kind: 'python-command',
        consumer: 'devcontainer postStartCommand',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 10,
        text: '/workspaces/msd/scripts/.venv/bin/python',
        kind: 'interpreter-path',
        consumer: 'devcontainer python.defaultInterpreterPath',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
    ]);
    expect(refs.map((ref) => ref.meta)).toEqual([
      {
        env: 'containerEnv',
        jsonPath: ['containerEnv', 'PYTHONPATH'],
        paths: ['build/Debug/debug'],
      },
      { via: 'PATH', jsonPath: ['remoteEnv', 'PATH'] },
      {
        command: 'onCreateCommand',
        tool: 'venv',
        path: 'scripts/.venv',
        jsonPath: ['onCreateCommand'],
      },
      {
        command: 'onCreateCommand',
        installer: 'pip',
        requirements: ['scripts/requirements.txt'],
        jsonPath: ['onCreateCommand'],
      },
      {
        command: 'postCreateCommand',
        installer: 'pip',
        editables: ['replay'],
        jsonPath: ['postCreateCommand', '0'],
      },
      { command: 'postStartCommand', step: 'idx', jsonPath: ['postStartCommand', 'idx'] },
      { command: 'postStartCommand', step: 'idx', jsonPath: ['postStartCommand', 'idx'] },
      {
        setting: 'python.defaultInterpreterPath',
        jsonPath: ['customizations', 'vscode', 'settings', 'python.defaultInterpreterPath'],
        resolved: 'scripts/.venv/bin/python',
      },
    ]);
    expectExactSpans(text, refs);
  });

  it('returns null for empty, malformed and Python-free files, and never throws', () => {
    expect(detectDevcontainerReferences('', FILE, detectContext)).toBeNull();
    expect(detectDevcontainerReferences('{', FILE, detectContext)).toBeNull();
    expect(detectDevcontainerReferences('"postCreateCommand"', FILE, detectContext)).toBeNull();
    expect(
      detectDevcontainerReferences(
        '{"image": "node:20", "postCreateCommand": "npm ci"}',
        FILE,
        detectContext,
      ),
    ).toBeNull();
    // Cut off mid-file: what was read before the break still counts.
    expect(
      brief(detect('{"postCreateCommand": "pip install -r requirements.txt", "customizations": {')),
    ).toEqual([
      {
        line: 1,
        text: 'pip install -r requirements.txt',
        kind: 'pip-install',
        consumer: 'devcontainer postCreateCommand',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
    ]);
  });

  it('reports a container already on the unified venv as such', () => {
    const text = `{
  "postCreateCommand": "python/setup.sh",
  "postStartCommand": ". python/.venv/bin/activate",
  "customizations": { "vscode": { "settings": { "python.defaultInterpreterPath": "\${containerWorkspaceFolder}/python/.venv/bin/python" } } }
}`;
    expect(brief(detect(text))).toEqual([
      {
        line: 3,
        text: 'python/.venv/bin/activate',
        kind: 'venv-activate',
        consumer: 'devcontainer postStartCommand',
        environment: 'python/.venv',
        skipReason: undefined,
      },
      {
        line: 4,
        text: '${containerWorkspaceFolder}/python/.venv/bin/python',
        kind: 'interpreter-path',
        consumer: 'devcontainer python.defaultInterpreterPath',
        environment: 'python/.venv',
        skipReason: undefined,
      },
    ]);
  });

  it('resolves the workspace variables and an explicit workspaceFolder; other variables stay unknown', () => {
    const text = `{
  "workspaceFolder": "/src",
  "settings": { "python.pythonPath": "/src/tools/venv/bin/python" },
  "remoteEnv": { "PYTHONPATH": "\${localEnv:HOME}/lib", "VIRTUAL_ENV": "/src/tools/venv" },
  "postAttachCommand": "\${localEnv:HOME}/venvs/x/bin/python -m tool",
  "initializeCommand": "python3 -m venv .venv"
}`;
    expect(brief(detect(text, '.devcontainer/python/devcontainer.json'))).toEqual([
      {
        line: 3,
        text: '/src/tools/venv/bin/python',
        kind: 'interpreter-path',
        consumer: 'devcontainer python.pythonPath',
        environment: 'tools/venv',
        skipReason: undefined,
      },
      {
        line: 4,
        text: '${localEnv:HOME}/lib',
        kind: 'pythonpath',
        consumer: 'devcontainer remoteEnv',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
      },
      {
        line: 4,
        text: '/src/tools/venv',
        kind: 'venv-variable',
        consumer: 'devcontainer remoteEnv',
        environment: 'tools/venv',
        skipReason: undefined,
      },
      {
        line: 5,
        text: '${localEnv:HOME}/venvs/x/bin/python',
        kind: 'python-command',
        consumer: 'devcontainer postAttachCommand',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
      },
      {
        line: 6,
        text: 'python3 -m venv .venv',
        kind: 'venv-create',
        consumer: 'devcontainer initializeCommand',
        environment: '.venv',
        skipReason: undefined,
      },
    ]);
    expect(detect(text).at(-1)?.meta?.host).toBe(true);
  });

  it('keeps exact spans with CRLF line endings and escapes', () => {
    const text =
      '{\r\n  // set up\r\n  "postCreateCommand": "cd scripts && \\"./.venv/bin/python\\" -m pip install -e .",\r\n  "customizations": {"vscode": {"settings": {"python.defaultInterpreterPath": "/usr/local/bin/python"}}},\r\n}\r\n';
    const refs = detect(text);
    expect(brief(refs)).toEqual([
      {
        line: 3,
        text: '\\"./.venv/bin/python\\" -m pip install -e .',
        kind: 'pip-install',
        consumer: 'devcontainer postCreateCommand',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 4,
        text: '/usr/local/bin/python',
        kind: 'interpreter-path',
        consumer: 'devcontainer python.defaultInterpreterPath',
        environment: ENV_SYSTEM,
        skipReason: undefined,
      },
    ]);
    expectExactSpans(text, refs);
  });

  it('does not report look-alikes: image, features, comments, names, echo', () => {
    const text = `{
  // "postCreateCommand": "python3 -m venv .venv"
  "name": "python3 -m venv .venv",
  "image": "python:3.12",
  "features": { "ghcr.io/devcontainers/features/python:1": { "version": "3.12" } },
  "postCreateCommand": "echo 'run python3 -m venv .venv yourself'",
  "containerEnv": { "PYTHONUNBUFFERED": "1", "PATH": "/usr/local/bin:\${containerEnv:PATH}" },
  "customizations": { "vscode": { "extensions": ["ms-python.python"], "settings": { "python.analysis.typeCheckingMode": "basic" } } }
}`;
    expect(detect(text)).toEqual([]);
  });

  it('never throws and keeps spans in bounds on arbitrary and mutated input', () => {
    const seed =
      '{"containerEnv": {"PYTHONPATH": "a:${containerEnv:PYTHONPATH}", "PATH": "/workspaces/r/.venv/bin:${containerEnv:PATH}"}, "postCreateCommand": {"a": "python3 -m venv .venv", "b": [".venv/bin/pip", "install", "x y"]}, "settings": {"python.defaultInterpreterPath": ".venv/bin/python"}}';
    const mutated = fc
      .tuple(fc.nat(seed.length), fc.nat(20), fc.string({ maxLength: 8 }))
      .map(([at, cut, insert]) => seed.slice(0, at) + insert + seed.slice(at + cut));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutated), (text) => {
        for (const ref of detectDevcontainerReferences(text, FILE, detectContext)?.references ??
          []) {
          expect(ref.span.start).toBeGreaterThanOrEqual(0);
          expect(ref.span.end).toBeLessThanOrEqual(text.length);
          expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
        }
      }),
      { numRuns: 400 },
    );
  });
});
