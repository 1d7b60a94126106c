// biome-ignore-all lint/suspicious/noTemplateCurlyInString: VS Code and MCP clients spell their variables ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brief, detectContext, expectExactSpans } from '../../../test/helpers/adapter.js';
import { ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN, type Reference } from '../types.js';
import { detectMcpReferences, isMcpConfig, listMcpServers, workspaceOf } from './detect.js';

function detect(text: string, file = '.mcp.json'): Reference[] {
  return detectMcpReferences(text, file, detectContext)?.references ?? [];
}

describe('mcp-json adapter', () => {
  it('reads .mcp.json, .cursor/mcp.json, .vscode/mcp.json and any *mcp*.json', () => {
    expect(
      [
        '.mcp.json',
        '.cursor/mcp.json',
        '.vscode/mcp.json',
        'tools/mcp-servers.json',
        'package.json',
        'mcp.yaml',
        '.vscode/settings.json',
      ].map(isMcpConfig),
    ).toEqual([true, true, true, true, false, false, false]);
  });

  it('reports the seed ticket servers on scripts/.venv with their scripts', () => {
    const text = `{
  "mcpServers": {
    "codebase": {
      "command": "scripts/.venv/bin/python3",
      "args": ["scripts/mcp/codebase_server.py", "--docs-db", "build/Debug/docs/doxygen.db"]
    }
  }
}
`;
    expect(detect(text)).toEqual([
      {
        file: '.mcp.json',
        line: 4,
        column: 19,
        span: { start: 56, end: 81 },
        text: 'scripts/.venv/bin/python3',
        kind: 'interpreter-path',
        adapter: 'mcp-json',
        consumer: 'MCP server codebase',
        environment: 'scripts/.venv',
        meta: {
          server: 'codebase',
          transport: 'stdio',
          cwd: '.',
          command: 'scripts/.venv/bin/python3',
          args: ['scripts/mcp/codebase_server.py', '--docs-db', 'build/Debug/docs/doxygen.db'],
          jsonPath: ['mcpServers', 'codebase', 'command'],
          script: 'scripts/mcp/codebase_server.py',
        },
      },
    ]);
  });

  it('returns null for an empty file and for JSON without servers', () => {
    expect(detectMcpReferences('', '.mcp.json', detectContext)).toBeNull();
    expect(detectMcpReferences('{}', '.mcp.json', detectContext)).toBeNull();
    expect(detectMcpReferences('{"mcpServers": []}', '.mcp.json', detectContext)).toBeNull();
    expect(listMcpServers('', '.mcp.json')).toEqual([]);
  });

  it('never throws on a malformed file and still reads what it can', () => {
    const text =
      '{"mcpServers": {"docs": {"command": "tools/.venv/bin/python", "args": ["-m", "docs"';
    expect(brief(detect(text))).toEqual([
      {
        line: 1,
        text: 'tools/.venv/bin/python',
        kind: 'interpreter-path',
        consumer: 'MCP server docs',
        environment: 'tools/.venv',
        skipReason: undefined,
      },
    ]);
    expect(detect(text)[0]?.meta?.module).toBe('docs');
    expect(detect('{"mcpServers": {"x": {"command": ')).toEqual([]);
    expect(detect('not json at all')).toEqual([]);
  });

  it('reports a server already on the unified venv with that environment', () => {
    const text =
      '{"mcpServers": {"docs": {"command": "python/.venv/bin/python3", "args": ["-m", "docs.server"]}}}';
    expect(brief(detect(text))).toEqual([
      {
        line: 1,
        text: 'python/.venv/bin/python3',
        kind: 'interpreter-path',
        consumer: 'MCP server docs',
        environment: 'python/.venv',
        skipReason: undefined,
      },
    ]);
  });

  it('resolves ${workspaceFolder}, reports other variables as contains-variable', () => {
    const text = `{
  "mcpServers": {
    "a": { "command": "\${workspaceFolder}/scripts/.venv/bin/python", "args": ["\${workspaceFolder}/scripts/mcp/a.py"] },
    "b": { "command": "\${HOME}/.venvs/tools/bin/python", "args": ["b.py"] }
  }
}`;
    const refs = detect(text, '.cursor/mcp.json');
    expect(brief(refs)).toEqual([
      {
        line: 3,
        text: '${workspaceFolder}/scripts/.venv/bin/python',
        kind: 'interpreter-path',
        consumer: 'MCP server a',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 4,
        text: '${HOME}/.venvs/tools/bin/python',
        kind: 'interpreter-path',
        consumer: 'MCP server b',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
      },
    ]);
    expect(refs.map((ref) => [ref.meta?.script, ref.meta?.rootVariable])).toEqual([
      ['scripts/mcp/a.py', '${workspaceFolder}'],
      ['b.py', '${workspaceFolder}'],
    ]);
  });

  it('keeps exact spans with CRLF line endings and JSON escapes', () => {
    const text =
      '{\r\n  // local tools\r\n  "mcpServers": {\r\n    "win": {\r\n      "command": "tools\\\\.venv\\\\Scripts\\\\python.exe",\r\n      "args": ["srv.py"]\r\n    },\r\n    "esc": {"command": "scripts\\/.venv\\/bin\\/python3"},\r\n  },\r\n}\r\n';
    const refs = detect(text);
    expect(brief(refs)).toEqual([
      {
        line: 5,
        text: 'tools\\\\.venv\\\\Scripts\\\\python.exe',
        kind: 'interpreter-path',
        consumer: 'MCP server win',
        environment: 'tools/.venv',
        skipReason: undefined,
      },
      {
        line: 8,
        text: 'scripts\\/.venv\\/bin\\/python3',
        kind: 'interpreter-path',
        consumer: 'MCP server esc',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
    ]);
    expectExactSpans(text, refs);
    expect(refs.map((ref) => ref.column)).toEqual([19, 25]);
  });

  it('does not report look-alikes: non-Python servers, remote servers, comments, other keys', () => {
    const text = `{
  // "command": "scripts/.venv/bin/python3"
  "description": "runs python3 scripts/.venv/bin/python",
  "mcpServers": {
    "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "python3"] },
    "remote": { "type": "http", "url": "https://example.com/mcp" },
    "sse": { "url": "http://localhost:8000/sse" },
    "launcher": { "command": "scripts/start_mcp.sh", "args": ["python3"] },
    "node": { "command": "node", "args": ["server.js"], "env": { "PYTHONHOME": "/usr" } }
  },
  "python": "scripts/.venv/bin/python3"
}`;
    expect(detect(text)).toEqual([]);
    expect(detectMcpReferences(text, '.mcp.json', detectContext)).toBeNull();
  });

  it('reads servers only from files whose shape is an MCP config', () => {
    const servers = '{"servers": {"a": {"command": "python3", "args": ["a.py"]}}}';
    expect(brief(detect(servers, '.vscode/mcp.json'))).toEqual([
      {
        line: 1,
        text: 'python3',
        kind: 'interpreter-path',
        consumer: 'MCP server a',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
    ]);
    // `servers` in a file that is not named mcp.json is some other tool's key.
    expect(detect(servers, 'config/remote-mcp-hosts.json')).toEqual([]);
  });

  it('reports bare interpreters, system interpreters and venv console scripts', () => {
    const text = `{"mcpServers": {
  "path": {"command": "python3", "args": ["-u", "-X", "utf8", "tools/server.py"]},
  "sys": {"command": "/usr/bin/python3", "args": ["-m", "srv"]},
  "fast": {"command": "scripts/.venv/bin/fastmcp", "args": ["run", "scripts/mcp/srv.py"]},
  "onpath": {"command": "fastmcp", "args": ["run", "srv.py"]}
}}`;
    const refs = detect(text);
    expect(brief(refs)).toEqual([
      {
        line: 2,
        text: 'python3',
        kind: 'interpreter-path',
        consumer: 'MCP server path',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
      {
        line: 3,
        text: '/usr/bin/python3',
        kind: 'interpreter-path',
        consumer: 'MCP server sys',
        environment: ENV_SYSTEM,
        skipReason: undefined,
      },
      {
        line: 4,
        text: 'scripts/.venv/bin/fastmcp',
        kind: 'python-command',
        consumer: 'MCP server fast',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 5,
        text: 'fastmcp',
        kind: 'python-command',
        consumer: 'MCP server onpath',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
    ]);
    expect(refs.map((ref) => ref.meta?.script ?? ref.meta?.module ?? ref.meta?.entryPoint)).toEqual(
      ['tools/server.py', 'srv', 'fastmcp', 'fastmcp'],
    );
  });

  it('reports uv run with its project, and uvx as a tool environment it will not move', () => {
    const text = `{"mcpServers": {
  "uvrun": {"command": "uv", "args": ["--directory", "scripts", "run", "--with", "fastmcp", "python", "mcp/srv.py"]},
  "uvpinned": {"command": "uv", "args": ["run", "srv.py"], "env": {"UV_PROJECT_ENVIRONMENT": "tools/.venv"}},
  "tool": {"command": "uvx", "args": ["mcp-server-git", "--repository", "."]}
}}`;
    const refs = detect(text);
    expect(brief(refs)).toEqual([
      {
        line: 2,
        text: 'uv',
        kind: 'python-command',
        consumer: 'MCP server uvrun',
        environment: ENV_UNKNOWN,
        skipReason: undefined,
      },
      {
        line: 3,
        text: 'uv',
        kind: 'python-command',
        consumer: 'MCP server uvpinned',
        environment: 'tools/.venv',
        skipReason: undefined,
      },
      {
        line: 3,
        text: 'tools/.venv',
        kind: 'venv-variable',
        consumer: 'MCP server uvpinned',
        environment: 'tools/.venv',
        skipReason: undefined,
      },
      {
        line: 4,
        text: 'uvx',
        kind: 'python-command',
        consumer: 'MCP server tool',
        environment: ENV_UNKNOWN,
        skipReason: 'unsupported',
      },
    ]);
    expect(refs[0]?.meta).toEqual({
      server: 'uvrun',
      transport: 'stdio',
      cwd: '.',
      command: 'uv',
      args: ['--directory', 'scripts', 'run', '--with', 'fastmcp', 'python', 'mcp/srv.py'],
      jsonPath: ['mcpServers', 'uvrun', 'command'],
      runner: 'uv',
      runnerOptions: ['--directory=scripts', '--with=fastmcp'],
      project: 'scripts',
      script: 'scripts/mcp/srv.py',
    });
    expect(refs[3]?.meta?.tool).toBe('mcp-server-git');
  });

  it('reports PYTHONPATH in env (and through env(1)) on the server environment', () => {
    const text = `{"mcpServers": {
  "replay": {"command": "replay/.venv/bin/python", "args": ["-m", "replay"], "env": {"PYTHONPATH": "build/Debug/debug:\${workspaceFolder}/extra"}},
  "wrapped": {"command": "env", "args": ["PYTHONPATH=build/lib", "python3", "srv.py"]}
}}`;
    const refs = detect(text, '.vscode/mcp.json');
    expect(brief(refs)).toEqual([
      {
        line: 2,
        text: 'replay/.venv/bin/python',
        kind: 'interpreter-path',
        consumer: 'MCP server replay',
        environment: 'replay/.venv',
        skipReason: undefined,
      },
      {
        line: 2,
        text: 'build/Debug/debug:${workspaceFolder}/extra',
        kind: 'pythonpath',
        consumer: 'MCP server replay',
        environment: 'replay/.venv',
        skipReason: undefined,
      },
      {
        line: 3,
        text: 'python3',
        kind: 'interpreter-path',
        consumer: 'MCP server wrapped',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
      {
        line: 3,
        text: 'build/lib',
        kind: 'pythonpath',
        consumer: 'MCP server wrapped',
        environment: ENV_PATH_PYTHON,
        skipReason: undefined,
      },
    ]);
    expect(refs.map((ref) => ref.meta?.paths)).toEqual([
      undefined,
      ['build/Debug/debug', 'extra'],
      undefined,
      ['build/lib'],
    ]);
    expectExactSpans(text, refs);
  });

  it('reads sh -c scripts through the shared shell scanner, spans inside the JSON string', () => {
    const text = `{"mcpServers": {
  "sh": {"command": "bash", "args": ["-lc", "cd \${workspaceFolder}/scripts && source .venv/bin/activate && exec python mcp/srv.py"]},
  "sh2": {"command": "/bin/sh", "args": ["-c", "\\"$VENV/bin/python\\" -m srv # python3 -m venv x"], "env": {"VENV": "tools/.venv"}}
}}`;
    const refs = detect(text, '.vscode/mcp.json');
    expect(brief(refs)).toEqual([
      {
        line: 2,
        text: '.venv/bin/activate',
        kind: 'venv-activate',
        consumer: 'MCP server sh',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 2,
        text: 'python',
        kind: 'python-command',
        consumer: 'MCP server sh',
        environment: 'scripts/.venv',
        skipReason: undefined,
      },
      {
        line: 3,
        text: '\\"$VENV/bin/python\\"',
        kind: 'python-command',
        consumer: 'MCP server sh2',
        environment: 'tools/.venv',
        skipReason: undefined,
      },
    ]);
    expect(refs.map((ref) => ref.meta?.jsonPath)).toEqual([
      ['mcpServers', 'sh', 'args', '1'],
      ['mcpServers', 'sh', 'args', '1'],
      ['mcpServers', 'sh2', 'args', '1'],
    ]);
    expectExactSpans(text, refs);
  });

  it('lists every server with what a client needs to start it', () => {
    const text = `{
  "servers": {
    "docs": {"type": "stdio", "command": "\${workspaceFolder}/python/.venv/bin/python", "args": ["-m", "docs"], "cwd": "\${workspaceFolder}/tools", "env": {"LOG": "1", "N": 2}},
    "web": {"type": "http", "url": "http://localhost:3000/mcp"},
    "off": {"command": "python3", "disabled": true}
  }
}`;
    expect(listMcpServers(text, 'sub/.vscode/mcp.json')).toEqual([
      {
        name: 'docs',
        transport: 'stdio',
        command: '${workspaceFolder}/python/.venv/bin/python',
        args: ['-m', 'docs'],
        env: { LOG: '1' },
        cwd: 'tools',
        cwdExplicit: true,
        disabled: false,
        line: 3,
        section: 'servers',
        rootVariable: '${workspaceFolder}',
      },
      {
        name: 'web',
        transport: 'http',
        url: 'http://localhost:3000/mcp',
        args: [],
        env: {},
        cwd: 'sub',
        cwdExplicit: false,
        disabled: false,
        line: 4,
        section: 'servers',
        rootVariable: '${workspaceFolder}',
      },
      {
        name: 'off',
        transport: 'stdio',
        command: 'python3',
        args: [],
        env: {},
        cwd: 'sub',
        cwdExplicit: false,
        disabled: true,
        line: 5,
        section: 'servers',
        rootVariable: '${workspaceFolder}',
      },
    ]);
  });

  it('finds the workspace a config belongs to', () => {
    expect(
      [
        '.mcp.json',
        'tools/.mcp.json',
        '.cursor/mcp.json',
        'a/.kiro/settings/mcp.json',
        'cfg/mcp.json',
      ].map(workspaceOf),
    ).toEqual(['.', 'tools', '.', 'a', 'cfg']);
  });

  it('resolves relative paths against the workspace of a nested config', () => {
    const refs = detect(
      '{"mcpServers": {"t": {"command": ".venv/bin/python", "args": ["srv.py"]}}}',
      'tools/.mcp.json',
    );
    expect(refs.map((ref) => [ref.environment, ref.meta?.script, ref.meta?.cwd])).toEqual([
      ['tools/.venv', 'tools/srv.py', 'tools'],
    ]);
  });

  it('never throws and keeps spans in bounds on arbitrary and mutated input', () => {
    const seed = `{"mcpServers": {"a": {"command": "scripts/.venv/bin/python3", "args": ["-m", "x"], "env": {"PYTHONPATH": "b:\${workspaceFolder}/c"}}, "b": {"command": "uv", "args": ["run", "s.py"]}, "c": {"command": "env", "args": ["PYTHONPATH=x", "python3"]}}}`;
    const mutated = fc
      .tuple(fc.nat(seed.length), fc.nat(20), fc.string({ maxLength: 8 }))
      .map(([at, cut, insert]) => seed.slice(0, at) + insert + seed.slice(at + cut));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutated), (text) => {
        for (const file of ['.mcp.json', '.vscode/mcp.json']) {
          const result = detectMcpReferences(text, file, detectContext);
          for (const ref of result?.references ?? []) {
            expect(ref.span.start).toBeGreaterThanOrEqual(0);
            expect(ref.span.end).toBeLessThanOrEqual(text.length);
            expect(ref.span.start).toBeLessThanOrEqual(ref.span.end);
            expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
          }
          listMcpServers(text, file);
        }
      }),
      { numRuns: 400 },
    );
  });
});
