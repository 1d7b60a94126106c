// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the inputs are MCP configs' variables.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandServer, expandValue } from './mcp-expand.js';

const env = { HOME: '/home/dev', TOKEN: 'secret', EMPTY: '' };
const claude = { env, workspaceFolder: '/repo', editor: false };
const editor = { env, workspaceFolder: '/repo', editor: true };

describe('expandValue for .mcp.json (Claude Code rules)', () => {
  it('expands ${VAR} from the environment', () => {
    expect(expandValue('${HOME}/bin/python', claude)).toEqual({
      value: '/home/dev/bin/python',
      missing: [],
      unsupported: [],
    });
  });

  it('uses the default only when the variable is not set (an empty value is set)', () => {
    expect(expandValue('${NOPE:-python/.venv}/bin/python', claude).value).toBe(
      'python/.venv/bin/python',
    );
    expect(expandValue('${TOKEN:-fallback}', claude).value).toBe('secret');
    expect(expandValue('[${EMPTY:-fallback}]', claude).value).toBe('[]');
    expect(expandValue('${NOPE:-}', claude).value).toBe('');
  });

  it('reports an unset variable without a default as missing and leaves it as written', () => {
    expect(expandValue('${NOPE}/x ${ALSO_NOPE}', claude)).toEqual({
      value: '${NOPE}/x ${ALSO_NOPE}',
      missing: ['NOPE', 'ALSO_NOPE'],
      unsupported: [],
    });
  });

  it('treats ${workspaceFolder} as an environment variable (Claude Code has no such variable)', () => {
    expect(expandValue('${workspaceFolder}/x', claude)).toEqual({
      value: '${workspaceFolder}/x',
      missing: ['workspaceFolder'],
      unsupported: [],
    });
  });

  it('leaves $VAR without braces alone', () => {
    expect(expandValue('$HOME/x', claude).value).toBe('$HOME/x');
  });
});

describe('expandValue for .vscode/ and .cursor/ configs (editor rules)', () => {
  it('expands the workspace variables', () => {
    expect(
      expandValue('${workspaceFolder}/a ${workspaceRoot}/b ${workspaceFolderBasename}', editor)
        .value,
    ).toBe('/repo/a /repo/b repo');
  });

  it('expands ${env:VAR} (empty when not set), ${userHome} and ${pathSeparator}', () => {
    expect(
      expandValue('${env:TOKEN}|${env:NOPE}|${userHome}|${pathSeparator}|${/}', editor).value,
    ).toBe(`secret||${os.homedir()}|${path.sep}|${path.sep}`);
  });

  it('reports ${input:…}, ${command:…} and ${config:…} as unsupported', () => {
    expect(expandValue('${input:token} ${command:pick} ${config:x.y}', editor)).toEqual({
      value: '${input:token} ${command:pick} ${config:x.y}',
      missing: [],
      unsupported: ['input:token', 'command:pick', 'config:x.y'],
    });
  });

  it('leaves other ${name} as written, as the editors do', () => {
    expect(expandValue('${HOME}/x', editor)).toEqual({
      value: '${HOME}/x',
      missing: [],
      unsupported: [],
    });
  });
});

describe('expandServer', () => {
  it('expands command, args and env values, collecting every problem once', () => {
    expect(
      expandServer(
        {
          command: '${PY:-python/.venv/bin/python}',
          args: ['${DIR}/server.py', '--token', '${TOKEN}', '${DIR}'],
          env: { API_KEY: '${TOKEN}', OTHER: '${MISSING}' },
        },
        claude,
      ),
    ).toEqual({
      command: 'python/.venv/bin/python',
      args: ['${DIR}/server.py', '--token', 'secret', '${DIR}'],
      env: { API_KEY: 'secret', OTHER: '${MISSING}' },
      missing: ['MISSING', 'DIR'],
      unsupported: [],
    });
  });

  it('gives an empty command when the server has none', () => {
    expect(expandServer({ args: [], env: {} }, claude).command).toBe('');
  });
});
