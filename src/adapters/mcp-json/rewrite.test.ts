// biome-ignore-all lint/suspicious/noTemplateCurlyInString: MCP clients spell their variables ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectRewriteSettled,
  type RewriteRun,
  runRewriter,
} from '../../../test/helpers/rewrite.js';
import type { AdoptFacts } from '../../core/adopt/types.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

function rewrite(text: string, file = '.mcp.json', facts: Partial<AdoptFacts> = {}): RewriteRun {
  return runRewriter(adapter, rewriter, text, file, {
    facts: { declaredPackages: ['fastmcp'], paths: ['build/Debug/python'], ...facts },
  });
}

/** Every reference is on the unified venv or gone, skipped ones apart; a second run changes nothing. */
function expectSettled(run: RewriteRun, file = '.mcp.json', facts: Partial<AdoptFacts> = {}): void {
  expectRewriteSettled(run, (text) => rewrite(text, file, facts));
}

const SEED = `{
  "mcpServers": {
    "codebase": {
      "command": "scripts/.venv/bin/python3",
      "args": ["scripts/mcp/codebase_server.py", "--docs-db", "build/Debug/docs/doxygen.db"]
    },
    "traceability": {
      "command": "scripts/.venv/bin/python3",
      "args": ["scripts/mcp/traceability_server.py", "--db", "build/Debug/traceability.db"]
    }
  }
}
`;

describe('mcp-json rewriter', () => {
  it('points the seed ticket servers at python/.venv, relative to the repository root', () => {
    const run = rewrite(SEED);
    expect(run.text).toEqual(
      SEED.replaceAll('scripts/.venv/bin/python3', 'python/.venv/bin/python3'),
    );
    expect(run.result).toEqual({
      edits: [
        {
          start: 56,
          end: 81,
          replacement: 'python/.venv/bin/python3',
          reason: 'interpreter → python/.venv/bin/python3',
        },
        {
          start: 224,
          end: 249,
          replacement: 'python/.venv/bin/python3',
          reason: 'interpreter → python/.venv/bin/python3',
        },
      ],
      skipped: [],
      notes: [],
    });
    expect(run.after.map((ref) => [ref.text, ref.environment])).toEqual([
      ['python/.venv/bin/python3', 'python/.venv'],
      ['python/.venv/bin/python3', 'python/.venv'],
    ]);
    expectSettled(run);
  });

  it('keeps CRLF line endings, comments and trailing commas', () => {
    const text =
      '{\r\n  // servers for the assistant\r\n  "mcpServers": {\r\n    "codebase": {\r\n      "command": "scripts/.venv/bin/python", // the old venv\r\n      "args": ["server.py",],\r\n    },\r\n  },\r\n}\r\n';
    const run = rewrite(text);
    expect(run.text).toEqual(
      '{\r\n  // servers for the assistant\r\n  "mcpServers": {\r\n    "codebase": {\r\n      "command": "python/.venv/bin/python3", // the old venv\r\n      "args": ["server.py",],\r\n    },\r\n  },\r\n}\r\n',
    );
    expectSettled(run);
  });

  it('writes ${workspaceFolder}/python/.venv/bin/python3 in Cursor and VS Code configs', () => {
    const text = `{
  "mcpServers": {
    "a": { "command": "\${workspaceFolder}/scripts/.venv/bin/python3", "args": ["a.py"] },
    "b": { "command": "scripts/.venv/bin/python3", "args": ["b.py"] },
    "c": { "command": "python3", "args": ["c.py"] }
  }
}
`;
    const run = rewrite(text, '.cursor/mcp.json');
    expect(run.text).toEqual(`{
  "mcpServers": {
    "a": { "command": "\${workspaceFolder}/python/.venv/bin/python3", "args": ["a.py"] },
    "b": { "command": "\${workspaceFolder}/python/.venv/bin/python3", "args": ["b.py"] },
    "c": { "command": "\${workspaceFolder}/python/.venv/bin/python3", "args": ["c.py"] }
  }
}
`);
    expectSettled(run, '.cursor/mcp.json');
    const vscode = `{\n  "servers": {\n    "docs": { "type": "stdio", "command": "\${workspaceFolder}/tools/venv/bin/python", "args": ["-m", "docs_server"] }\n  }\n}\n`;
    const run2 = rewrite(vscode, '.vscode/mcp.json');
    expect(run2.text).toEqual(
      `{\n  "servers": {\n    "docs": { "type": "stdio", "command": "\${workspaceFolder}/python/.venv/bin/python3", "args": ["-m", "docs_server"] }\n  }\n}\n`,
    );
    expectSettled(run2, '.vscode/mcp.json');
  });

  it('turns uv run and bare python3 into the venv interpreter, arguments kept', () => {
    const text = `{
  "mcpServers": {
    "trace": {
      "command": "uv",
      "args": ["run", "--frozen", "python", "scripts/mcp/trace.py", "--db", "trace.db"]
    },
    "script": { "command": "uv", "args": ["--project", "scripts", "run", "scripts/mcp/s.py"] },
    "entry": {
      "command": "uv",
      "args": [
        "run",
        "fastmcp",
        "run",
        "scripts/mcp/server.py"
      ]
    },
    "only": { "command": "uv", "args": ["run", "python"] },
    "bare": { "command": "python3", "args": ["-m", "tools.server"] },
    "system": { "command": "/usr/bin/python3", "args": ["server.py"] },
    "onpath": { "command": "fastmcp", "args": ["run", "server.py"] }
  }
}
`;
    const run = rewrite(text);
    expect(run.text).toEqual(`{
  "mcpServers": {
    "trace": {
      "command": "python/.venv/bin/python3",
      "args": ["scripts/mcp/trace.py", "--db", "trace.db"]
    },
    "script": { "command": "python/.venv/bin/python3", "args": ["scripts/mcp/s.py"] },
    "entry": {
      "command": "python/.venv/bin/fastmcp",
      "args": [
        "run",
        "scripts/mcp/server.py"
      ]
    },
    "only": { "command": "python/.venv/bin/python3" },
    "bare": { "command": "python/.venv/bin/python3", "args": ["-m", "tools.server"] },
    "system": { "command": "python/.venv/bin/python3", "args": ["server.py"] },
    "onpath": { "command": "python/.venv/bin/fastmcp", "args": ["run", "server.py"] }
  }
}
`);
    expect(run.result.edits.map((edit) => edit.reason)).toEqual([
      'uv run → python/.venv/bin/python3',
      'uv run → python/.venv/bin/python3',
      'uv run → python/.venv/bin/python3',
      'uv run → python/.venv/bin/python3',
      'uv run → python/.venv/bin/fastmcp',
      'uv run → python/.venv/bin/fastmcp',
      'uv run → python/.venv/bin/python3',
      'uv run → python/.venv/bin/python3',
      'interpreter → python/.venv/bin/python3',
      'interpreter → python/.venv/bin/python3',
      'fastmcp → python/.venv/bin/fastmcp',
    ]);
    expectSettled(run);
  });

  it('removes PYTHONPATH entries the venv provides, and an env left empty', () => {
    const text = `{
  "mcpServers": {
    "a": {
      "command": "scripts/.venv/bin/python3",
      "args": ["a.py"],
      "env": { "PYTHONPATH": "build/Debug/python" }
    },
    "b": {
      "command": "scripts/.venv/bin/python3",
      "env": {
        "PYTHONPATH": "build/Debug/python",
        "LOG_LEVEL": "debug"
      },
      "args": ["b.py"]
    },
    "c": {
      "env": {
        "LOG_LEVEL": "debug",
        "PYTHONPATH": "scripts/traceability",
      },
      "command": "scripts/.venv/bin/python3",
    },
    "d": { "command": "env", "args": ["PYTHONPATH=build/Debug/python", "scripts/.venv/bin/python3", "d.py"] }
  }
}
`;
    const run = rewrite(text);
    expect(run.text).toEqual(`{
  "mcpServers": {
    "a": {
      "command": "python/.venv/bin/python3",
      "args": ["a.py"]
    },
    "b": {
      "command": "python/.venv/bin/python3",
      "env": {
        "LOG_LEVEL": "debug"
      },
      "args": ["b.py"]
    },
    "c": {
      "env": {
        "LOG_LEVEL": "debug",
        "PYTHONPATH": "scripts/traceability",
      },
      "command": "python/.venv/bin/python3",
    },
    "d": { "command": "env", "args": ["python/.venv/bin/python3", "d.py"] }
  }
}
`);
    // scripts/traceability is not one of the venv's paths: it stays, and now reaches python/.venv.
    expect(
      run.after
        .filter((ref) => ref.kind === 'pythonpath')
        .map((ref) => [ref.text, ref.environment]),
    ).toEqual([['scripts/traceability', 'python/.venv']]);
    expectSettled(run);
  });

  it('moves sh -c scripts through the shell rewriter and VIRTUAL_ENV to the venv', () => {
    const text = `{
  "mcpServers": {
    "sh": {
      "command": "bash",
      "args": ["-lc", "cd scripts && source .venv/bin/activate && exec python mcp/server.py"]
    },
    "venv": {
      "command": "scripts/.venv/bin/python3",
      "args": ["s.py"],
      "env": { "VIRTUAL_ENV": "scripts/.venv" }
    }
  }
}
`;
    const run = rewrite(text);
    expect(run.text).toEqual(`{
  "mcpServers": {
    "sh": {
      "command": "bash",
      "args": ["-lc", "cd scripts && source ../python/.venv/bin/activate && exec python mcp/server.py"]
    },
    "venv": {
      "command": "python/.venv/bin/python3",
      "args": ["s.py"],
      "env": { "VIRTUAL_ENV": "python/.venv" }
    }
  }
}
`);
    expectSettled(run);
  });

  it('skips values built from variables it cannot resolve, and tool runners, with reasons', () => {
    const text = `{
  "mcpServers": {
    "home": { "command": "\${HOME}/venvs/mcp/bin/python", "args": ["s.py"] },
    "tool": { "command": "uvx", "args": ["mcp-server-git"] },
    "with": { "command": "uv", "args": ["run", "--with", "fastmcp", "fastmcp", "run", "s.py"] },
    "ok": { "command": "scripts/.venv/bin/python3", "args": ["s.py"] }
  }
}
`;
    const run = rewrite(text);
    expect(run.text).toEqual(text.replace('scripts/.venv/bin/python3', 'python/.venv/bin/python3'));
    expect(run.result.skipped.map((entry) => [entry.reference.text, entry.reason])).toEqual([
      [
        '${HOME}/venvs/mcp/bin/python',
        'built from a variable onevenv cannot resolve: point it at python/.venv by hand',
      ],
      [
        'uvx',
        'runs through uvx in a tool environment of its own: point it at python/.venv/bin/mcp-server-git by hand',
      ],
      [
        'uv',
        'runs through uv run with options the venv cannot stand in for (--with=fastmcp): point the server at python/.venv/bin/python3 by hand',
      ],
    ]);
    expectSettled(run);
  });

  it('rewrites what it can read of a malformed file, and nothing in an empty one', () => {
    expect(rewrite('').result).toEqual({ edits: [], skipped: [], notes: [] });
    const run = rewrite(
      '{"mcpServers": {"a": {"command": "scripts/.venv/bin/python3", "env": {"PYTHONPATH": "build/Debug/python"',
    );
    expect(run.text).toEqual('{"mcpServers": {"a": {"command": "python/.venv/bin/python3"');
    expectSettled(run);
  });

  it('leaves an already unified config and look-alikes alone', () => {
    const unified = `{
  "mcpServers": {
    "a": { "command": "python/.venv/bin/python3", "args": ["a.py"], "env": { "PYTHONPATH": "scripts" } },
    "node": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "scripts/.venv/bin/python3"] },
    "remote": { "url": "https://example.com/mcp" },
    "doc": { "command": "node", "args": ["server.js"], "description": "wraps scripts/.venv/bin/python3" }
  }
}
`;
    const run = rewrite(unified);
    expect(run.result).toEqual({ edits: [], skipped: [], notes: [] });
    expect(run.text).toBe(unified);
  });

  it('moves generated configs onto the venv in one pass, and a second pass changes nothing', () => {
    const command = fc.constantFrom(
      ['scripts/.venv/bin/python3', '"s.py"'],
      ['python3', '"-m", "pkg.server"'],
      ['uv', '"run", "python", "s.py"'],
      ['uv', '"run", "--frozen", "s.py", "--flag"'],
      ['fastmcp', '"run", "s.py"'],
      ['tools/venv/bin/fastmcp', '"run"'],
      ['bash', '"-c", "source scripts/.venv/bin/activate && python s.py"'],
      ['npx', '"server"'],
    );
    const env = fc.constantFrom(
      '',
      '"PYTHONPATH": "build/Debug/python"',
      '"PYTHONPATH": "other"',
      '"A": "1", "PYTHONPATH": "build/Debug/python"',
    );
    const server = fc.record({ command, env, crlf: fc.boolean(), trailing: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(server, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('.mcp.json', '.cursor/mcp.json'),
        (servers, file) => {
          const comma = servers[0]!.trailing ? ',' : '';
          const body = servers
            .map(({ command, env }, i) => {
              const [cmd, args] = command as readonly [string, string];
              const envPart = env === '' ? '' : `,\n      "env": { ${env} }`;
              return `    "s${i}": {\n      "command": "${cmd}",\n      "args": [${args}]${envPart}${comma}\n    }`;
            })
            .join(',\n');
          let text = `{\n  "mcpServers": {\n${body}${comma}\n  }\n}\n`;
          if (servers[0]!.crlf) text = text.replace(/\n/g, '\r\n');
          const run = rewrite(text, file);
          // Only a PYTHONPATH beside a command that runs no Python stays (npx server).
          for (const entry of run.result.skipped) {
            expect([entry.reference.kind, entry.reason]).toEqual([
              'pythonpath',
              'the server runs no Python onevenv can see: left as it is',
            ]);
          }
          expectSettled(run, file);
        },
      ),
      { numRuns: 150 },
    );
  });
});
