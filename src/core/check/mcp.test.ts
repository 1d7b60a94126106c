// biome-ignore-all lint/suspicious/noTemplateCurlyInString: MCP configs spell their variables ${name}.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMcpSdkVenv } from '../../../test/helpers/mcp-sdk-venv.js';
import { makeRepo, projectRoot, runCli, type TempRepo } from '../../../test/helpers/repo.js';
import { systemPython } from '../../../test/helpers/wheelhouse.js';
import { importErrorOf, stderrTail } from './mcp.js';
import type { CheckReport } from './types.js';

/**
 * `check --only mcp` against real servers: Python processes speaking JSON-RPC over stdio,
 * started and stopped by the built CLI.
 */

const fixtures = path.join(projectRoot, 'test/fixtures/check/mcp');

async function fixtureFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await fs.readdir(fixtures)) {
    files[`tools/${name}`] = await fs.readFile(path.join(fixtures, name), 'utf8');
  }
  return files;
}

async function check(
  repo: TempRepo,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; report: CheckReport; stderr: string }> {
  const result = await runCli(['check', '--only', 'mcp', '--json', ...args], {
    cwd: repo.root,
    env,
  });
  const stdout = result.stdout.split(repo.root).join('<root>');
  let report: CheckReport;
  try {
    report = JSON.parse(stdout) as CheckReport;
  } catch {
    throw new Error(`no JSON on stdout (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { code: result.code, report, stderr: result.stderr };
}

function mcpJson(servers: Record<string, unknown>): string {
  return `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`;
}

/** Processes whose command line holds `marker` (a zombie has none: it is already dead). */
async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = await fs.readFile(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

describe('importErrorOf and stderrTail', () => {
  it('names the module of the last ImportError of a traceback', () => {
    expect(
      importErrorOf(
        'Traceback (most recent call last):\n  File "s.py", line 1\nModuleNotFoundError: No module named \'fastmcp.server\'\n',
      ),
    ).toEqual({
      line: "ModuleNotFoundError: No module named 'fastmcp.server'",
      module: 'fastmcp.server',
    });
    expect(
      importErrorOf("ImportError: cannot import name 'FastMCP' from 'mcp' (/x/mcp/__init__.py)"),
    ).toEqual({
      line: "ImportError: cannot import name 'FastMCP' from 'mcp' (/x/mcp/__init__.py)",
      module: 'mcp',
    });
    expect(importErrorOf('ImportError: libfoo.so: cannot open shared object file')).toEqual({
      line: 'ImportError: libfoo.so: cannot open shared object file',
      module: undefined,
    });
    expect(importErrorOf('ValueError: no\n')).toBeUndefined();
  });

  it('keeps the last non-blank lines, indented', () => {
    expect(stderrTail('a\n\nb\r\nc\n', 2)).toBe('  b\n  c');
    expect(stderrTail('')).toBe('');
  });
});

describe('onevenv check --only mcp (stdio servers)', () => {
  let repo: TempRepo;

  beforeAll(async () => {
    repo = await makeRepo(
      {
        ...(await fixtureFiles()),
        'python/pyproject.toml': '[project]\nname = "mcp-check"\nversion = "0"\n',
        '.gitignore': 'python/.venv/\n',
      },
      { git: true },
    );
    // A bare venv: the servers need the standard library only.
    execFileSync(systemPython, [
      '-m',
      'venv',
      '--without-pip',
      path.join(repo.root, 'python/.venv'),
    ]);
  });
  afterAll(() => repo.cleanup());

  it('a stdlib-only server speaking JSON-RPC over stdio passes with its tool count', async () => {
    await repo.write(
      '.mcp.json',
      mcpJson({ docs: { command: 'python/.venv/bin/python', args: ['tools/stdlib_server.py'] } }),
    );
    const { code, report } = await check(repo);
    expect(report).toEqual({
      ok: true,
      checks: [
        {
          id: 'mcp:.mcp.json#docs',
          kind: 'mcp',
          target: 'docs (.mcp.json)',
          ok: true,
          detail: 'docs answered initialize and tools/list: 2 tools',
        },
      ],
    });
    expect(code).toBe(0);
  });

  it('the same config on a script that raises ImportError fails naming the module', async () => {
    await repo.write(
      '.mcp.json',
      mcpJson({
        docs: { command: 'python/.venv/bin/python', args: ['tools/import_error_server.py'] },
      }),
    );
    const { code, report } = await check(repo);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.checks).toHaveLength(1);
    const [only] = report.checks;
    const lines = only!.detail.split('\n');
    expect({ ...only, detail: [...lines.slice(0, 3), lines.at(-1)] }).toEqual({
      id: 'mcp:.mcp.json#docs',
      kind: 'mcp',
      target: 'docs (.mcp.json)',
      ok: false,
      detail: [
        "docs exited before answering initialize: ModuleNotFoundError: No module named 'fastmcp' (cannot import fastmcp)",
        'stderr (last lines):',
        '  import_error_server: starting',
        "  ModuleNotFoundError: No module named 'fastmcp'",
      ],
      fix: "add the package that provides 'fastmcp' to a group (onevenv add <package> --group <group>) and run onevenv sync; for the repository's own code, set PYTHONPATH in the server's env",
    });
    expect(lines).toContain('  Traceback (most recent call last):');
  });

  it('a server that hangs is stopped at the timeout with everything it started', async () => {
    const marker = `onevenv-hang-${randomBytes(4).toString('hex')}`;
    await repo.write(
      '.mcp.json',
      mcpJson({
        hang: { command: 'python/.venv/bin/python', args: ['tools/hanging_server.py', marker] },
      }),
    );
    const { code, report } = await check(repo, ['--timeout', '2']);
    expect(code).toBe(1);
    const [only] = report.checks;
    const lines = only!.detail.split('\n');
    expect(lines[2]).toMatch(/^ {2}hanging_server: pid \d+, helper \d+$/);
    expect({ ...only, detail: lines.slice(0, 2) }).toEqual({
      id: 'mcp:.mcp.json#hang',
      kind: 'mcp',
      target: 'hang (.mcp.json)',
      ok: false,
      detail: ['hang did not answer initialize within 2 s (stopped)', 'stderr (last lines):'],
      fix: `the server must answer initialize on stdin/stdout within 2 s (nothing else on stdout); try it by hand: python/.venv/bin/python tools/hanging_server.py ${marker}, or raise --timeout`,
    });
    // The server ignores SIGTERM and its helper process too: neither may survive the check.
    expect(await processesWith(marker)).toEqual([]);
  });

  it('expands ${VAR} and ${VAR:-default} and passes the env as the client does', async () => {
    await repo.write(
      '.mcp.json',
      mcpJson({
        docs: {
          command: '${ONEVENV_TEST_PYTHON_UNSET:-python/.venv/bin/python}',
          args: ['${ONEVENV_TEST_TOOLS}/stdlib_server.py'],
          env: { STDLIB_SERVER_EXTRA_TOOL: 'tool_${ONEVENV_TEST_TOKEN}' },
        },
        needs: {
          command: 'python/.venv/bin/python',
          args: ['tools/stdlib_server.py'],
          env: { API_KEY: '${ONEVENV_TEST_NOT_SET}' },
        },
      }),
    );
    const { code, report } = await check(repo, [], {
      ONEVENV_TEST_TOOLS: 'tools',
      ONEVENV_TEST_TOKEN: 'secret',
    });
    expect(report).toEqual({
      ok: false,
      checks: [
        {
          id: 'mcp:.mcp.json#docs',
          kind: 'mcp',
          target: 'docs (.mcp.json)',
          ok: true,
          detail: 'docs answered initialize and tools/list: 3 tools',
        },
        {
          id: 'mcp:.mcp.json#needs',
          kind: 'mcp',
          target: 'needs (.mcp.json)',
          ok: false,
          detail: 'the client cannot start it: environment variable ONEVENV_TEST_NOT_SET not set',
          fix: 'set ONEVENV_TEST_NOT_SET, or give a default in .mcp.json (${ONEVENV_TEST_NOT_SET:-value})',
        },
      ],
    });
    expect(code).toBe(1);
  });

  it('editor configs: ${workspaceFolder} and their own cwd; every config file is read', async () => {
    await repo.write('.mcp.json', mcpJson({}));
    await repo.write(
      '.cursor/mcp.json',
      mcpJson({
        cursor: {
          command: '${workspaceFolder}/python/.venv/bin/python',
          args: ['${workspaceFolder}/tools/stdlib_server.py'],
        },
      }),
    );
    await repo.write(
      '.vscode/mcp.json',
      `${JSON.stringify(
        {
          // VS Code's key is `servers`; `cwd` is where it starts the server.
          servers: {
            code: {
              type: 'stdio',
              command: '${workspaceFolder}/python/.venv/bin/python',
              args: ['stdlib_server.py'],
              cwd: '${workspaceFolder}/tools',
            },
            prompt: { command: 'python3', args: ['--token', '${input:token}'] },
          },
        },
        null,
        2,
      )}\n`,
    );
    try {
      const { code, report } = await check(repo);
      expect(report).toEqual({
        ok: true,
        checks: [
          {
            id: 'mcp:.cursor/mcp.json#cursor',
            kind: 'mcp',
            target: 'cursor (.cursor/mcp.json)',
            ok: true,
            detail: 'cursor answered initialize and tools/list: 2 tools',
          },
          {
            id: 'mcp:.vscode/mcp.json#code',
            kind: 'mcp',
            target: 'code (.vscode/mcp.json)',
            ok: true,
            detail: 'code answered initialize and tools/list: 2 tools',
          },
          {
            id: 'mcp:.vscode/mcp.json#prompt',
            kind: 'mcp',
            target: 'prompt (.vscode/mcp.json)',
            ok: true,
            detail: 'not checked: needs ${input:token}, which only the editor can supply',
            skipped: true,
          },
        ],
      });
      expect(code).toBe(0);
    } finally {
      await fs.rm(path.join(repo.root, '.cursor'), { recursive: true });
      await fs.rm(path.join(repo.root, '.vscode'), { recursive: true });
    }
  });

  it('a server off the venv fails even though it answers; a missing venv names the fix', async () => {
    await repo.write(
      '.mcp.json',
      mcpJson({
        path: { command: 'python3', args: ['tools/stdlib_server.py'] },
        old: { command: 'scripts/.venv/bin/python3', args: ['tools/stdlib_server.py'] },
        script: { command: 'tools/stdlib_server.py', args: [] },
        off: { command: 'python3', args: ['tools/stdlib_server.py'], disabled: true },
      }),
    );
    const { code, report } = await check(repo);
    expect(report).toEqual({
      ok: false,
      checks: [
        {
          id: 'mcp:.mcp.json#off',
          kind: 'mcp',
          target: 'off (.mcp.json)',
          ok: true,
          detail: 'not checked: disabled in the config',
          skipped: true,
        },
        {
          id: 'mcp:.mcp.json#old',
          kind: 'mcp',
          target: 'old (.mcp.json)',
          ok: false,
          detail: 'command not found: scripts/.venv/bin/python3',
          fix: 'point the server at python/.venv/bin/python (onevenv adopt --write makes the edit)',
        },
        {
          id: 'mcp:.mcp.json#path',
          kind: 'mcp',
          target: 'path (.mcp.json)',
          ok: false,
          detail:
            'path answered initialize and tools/list: 2 tools, but it runs python3 on PATH (.mcp.json:4 python3), not python/.venv',
          fix: 'point it at python/.venv/bin/python (onevenv adopt --write makes the edit)',
        },
        {
          id: 'mcp:.mcp.json#script',
          kind: 'mcp',
          target: 'script (.mcp.json)',
          ok: false,
          detail: 'command is not executable: tools/stdlib_server.py',
          fix: 'chmod +x tools/stdlib_server.py, or run it through its interpreter in .mcp.json',
        },
      ],
    });
    expect(code).toBe(1);
  });

  it('remote servers are listed as not checked; --network connects and reports the failure', async () => {
    await repo.write(
      '.mcp.json',
      mcpJson({ remote: { type: 'http', url: 'http://127.0.0.1:9/mcp' } }),
    );
    const skippedRun = await check(repo);
    expect(skippedRun.report).toEqual({
      ok: true,
      checks: [
        {
          id: 'mcp:.mcp.json#remote',
          kind: 'mcp',
          target: 'remote (.mcp.json)',
          ok: true,
          detail: 'not checked: http server http://127.0.0.1:9/mcp (--network connects to it)',
          skipped: true,
        },
      ],
    });
    const network = await check(repo, ['--network', '--timeout', '5']);
    expect(network.report).toEqual({
      ok: false,
      checks: [
        {
          id: 'mcp:.mcp.json#remote',
          kind: 'mcp',
          target: 'remote (.mcp.json)',
          ok: false,
          detail: 'remote at http://127.0.0.1:9/mcp: initialize failed: fetch failed',
          fix: 'start the server, or fix "url" of remote in .mcp.json',
        },
      ],
    });
    expect(network.code).toBe(1);
  });

  it('a repository without MCP configs has nothing to check', async () => {
    await fs.rm(path.join(repo.root, '.mcp.json'));
    const { code, report } = await check(repo);
    expect(report).toEqual({
      ok: true,
      checks: [
        {
          id: 'mcp',
          kind: 'mcp',
          target: 'MCP servers',
          ok: true,
          detail:
            'no MCP config with servers (.mcp.json, .cursor/mcp.json, .vscode/mcp.json, *mcp*.json)',
          skipped: true,
        },
      ],
    });
    expect(code).toBe(0);
  });
});

describe('onevenv check --only mcp (a server written with the official mcp package)', () => {
  let repo: TempRepo;
  let python: string;

  beforeAll(async () => {
    // From PyPI, cached between runs: this must run in CI, never be skipped.
    python = await ensureMcpSdkVenv();
    repo = await makeRepo(
      {
        ...(await fixtureFiles()),
        'python/pyproject.toml': '[project]\nname = "mcp-sdk-check"\nversion = "0"\n',
      },
      { git: true },
    );
  });
  afterAll(() => repo?.cleanup());

  it('answers initialize and tools/list through the SDKs on both ends', async () => {
    await repo.write(
      '.mcp.json',
      mcpJson({ sdk: { command: python, args: ['tools/sdk_server.py'] } }),
    );
    const { code, report } = await check(repo);
    expect(report).toEqual({
      ok: true,
      checks: [
        {
          id: 'mcp:.mcp.json#sdk',
          kind: 'mcp',
          target: 'sdk (.mcp.json)',
          ok: true,
          detail: 'sdk answered initialize and tools/list: 3 tools',
        },
      ],
    });
    expect(code).toBe(0);
  });
});
