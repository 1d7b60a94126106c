// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CMake spells its variables ${name}.
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticEnv, writeLock } from '../../test/helpers/locked-repo.js';
import {
  cliPath,
  gitEnv,
  makeRepo,
  projectRoot,
  runCli,
  type TempRepo,
} from '../../test/helpers/repo.js';
import type { CheckReport } from '../core/check/types.js';

/**
 * `onevenv check` end to end on a small repository that sync built and adopt finished:
 * every kind at once, the exact JSON, the human report, and what each kind says once
 * something is off.
 */

const stdlibServer = path.join(projectRoot, 'test/fixtures/check/mcp/stdlib_server.py');

function git(repo: TempRepo, ...args: string[]): void {
  execFileSync('git', args, { cwd: repo.root, stdio: 'ignore', env: gitEnv() });
}

async function run(repo: TempRepo, args: string[], cwd = repo.root) {
  const result = await runCli(['check', ...args], { cwd, env: hermeticEnv() });
  return { ...result, stdout: result.stdout.split(repo.root).join('<root>') };
}

async function json(repo: TempRepo, args: string[] = [], cwd = repo.root) {
  const result = await run(repo, ['--json', ...args], cwd);
  try {
    return {
      code: result.code,
      report: JSON.parse(result.stdout) as CheckReport,
      stderr: result.stderr,
    };
  } catch {
    throw new Error(`no JSON on stdout (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

describe('onevenv check on a synced and adopted repository', () => {
  let repo: TempRepo;
  let pythonVersion: string;

  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': [
          '[project]',
          'name = "small"',
          'version = "0"',
          'requires-python = ">=3.10"',
          '',
          '[dependency-groups]',
          'tools = ["twomods"]',
          '',
          '[tool.onevenv]',
          'installer = "uv"',
          '',
        ].join('\n'),
        '.gitignore': 'python/.venv/\nbuild/\n',
        '.mcp.json': `${JSON.stringify(
          {
            mcpServers: {
              docs: { command: 'python/.venv/bin/python3', args: ['tools/docs_server.py'] },
            },
          },
          null,
          2,
        )}\n`,
        'tools/docs_server.py': await fs.readFile(stdlibServer, 'utf8'),
        'tools/gen.py': 'print("generated")\n',
        'CMakeLists.txt': [
          'cmake_minimum_required(VERSION 3.20)',
          'project(small NONE)',
          'set(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)',
          'add_custom_target(docs COMMAND ${PROJECT_PYTHON} ${CMAKE_SOURCE_DIR}/tools/gen.py VERBATIM)',
          '',
        ].join('\n'),
      },
      { git: true },
    );
    await writeLock(repo.root);
    for (const command of [['sync'], ['adopt', '--write']]) {
      const result = await runCli(command, { cwd: repo.root, env: hermeticEnv() });
      if (result.code !== 0) throw new Error(`${command.join(' ')} failed:\n${result.stderr}`);
    }
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'adopted');
    pythonVersion = execFileSync(
      path.join(repo.root, 'python/.venv/bin/python'),
      ['-c', 'import platform; print(platform.python_version())'],
      { encoding: 'utf8' },
    ).trim();
  });
  afterAll(() => repo.cleanup());

  it('is all green, and --json prints exactly this', async () => {
    const { code, report, stderr } = await json(repo);
    expect(report).toEqual({
      ok: true,
      checks: [
        {
          id: 'import:tools/twomods_a',
          kind: 'import',
          target: 'tools/twomods_a',
          ok: true,
          detail: 'import twomods_a',
        },
        {
          id: 'import:tools/twomods_b',
          kind: 'import',
          target: 'tools/twomods_b',
          ok: true,
          detail: 'import twomods_b',
        },
        {
          id: 'mcp:.mcp.json#docs',
          kind: 'mcp',
          target: 'docs (.mcp.json)',
          ok: true,
          detail: 'docs answered initialize and tools/list: 2 tools',
        },
        {
          id: 'cmake:CMakeLists.txt#CMakeLists.txt',
          kind: 'cmake',
          target: 'CMakeLists.txt',
          ok: true,
          detail: '1 Python reference, all on python/.venv',
        },
        {
          id: 'cmake:CMakeLists.txt#target docs',
          kind: 'cmake',
          target: 'target docs (CMakeLists.txt)',
          ok: true,
          detail: '1 Python reference, all on python/.venv',
        },
        {
          id: 'cmake:build',
          kind: 'cmake',
          target: 'build commands',
          ok: true,
          detail:
            'no build directory with a CMakeCache.txt (presets binaryDir, build/, build/*); --build-dir names one, --configure makes a fresh one',
          skipped: true,
        },
        {
          id: 'abi',
          kind: 'abi',
          target: 'extension modules',
          ok: true,
          detail: 'nothing to search: no [tool.onevenv] paths and no build directory',
          skipped: true,
        },
        {
          id: 'lock',
          kind: 'lock',
          target: 'python/requirements.txt',
          ok: true,
          detail: 'python/requirements.txt matches python/pyproject.toml',
        },
        {
          id: 'generated:python/README.md',
          kind: 'generated',
          target: 'python/README.md',
          ok: true,
          detail: 'python/README.md is current',
        },
        {
          id: 'generated:python/setup.sh',
          kind: 'generated',
          target: 'python/setup.sh',
          ok: true,
          detail: 'python/setup.sh is current',
        },
        {
          id: 'gitignore',
          kind: 'gitignore',
          target: 'python/.venv',
          ok: true,
          detail: 'python/.venv is ignored (.gitignore:1 python/.venv/)',
        },
        {
          id: 'stray-venv',
          kind: 'stray-venv',
          target: 'other venvs',
          ok: true,
          detail: 'no venv other than python/.venv is used or on disk',
        },
        {
          id: 'worktree',
          kind: 'worktree',
          target: 'main worktree',
          ok: true,
          detail: `python/.venv is ready (Python ${pythonVersion}, 1 package, uv)`,
        },
      ],
    });
    expect(code).toBe(0);
    // stderr is not a terminal here: one plain line per finished check, in finishing order.
    expect(stderr.trim().split('\n').sort()).toEqual(
      [
        'ok import tools/twomods_a',
        'ok import tools/twomods_b',
        'ok mcp docs (.mcp.json)',
        'ok cmake CMakeLists.txt',
        'ok cmake target docs (CMakeLists.txt)',
        'skip cmake build commands',
        'skip abi extension modules',
        'ok lock python/requirements.txt',
        'ok generated python/README.md',
        'ok generated python/setup.sh',
        'ok gitignore python/.venv',
        'ok stray-venv other venvs',
        'ok worktree main worktree',
      ].sort(),
    );
  });

  it('prints the human report on stdout, -q keeps stderr quiet', async () => {
    const result = await run(repo, ['--only', 'lock,gitignore,cmake', '-q']);
    expect(result).toEqual({
      code: 0,
      stdout: [
        'cmake',
        '  ok    CMakeLists.txt: 1 Python reference, all on python/.venv',
        '  ok    target docs (CMakeLists.txt): 1 Python reference, all on python/.venv',
        '  skip  build commands: no build directory with a CMakeCache.txt (presets binaryDir, build/, build/*); --build-dir names one, --configure makes a fresh one',
        '',
        'lock',
        '  ok    python/requirements.txt: python/requirements.txt matches python/pyproject.toml',
        '',
        'gitignore',
        '  ok    python/.venv: python/.venv is ignored (.gitignore:1 python/.venv/)',
        '',
        '5 checks: 4 passed, 1 not checked',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('on a terminal, draws the progress in one line and clears it', () => {
    // script(1) gives the CLI a pseudo-terminal; what the terminal received comes back.
    const screen = execFileSync(
      'script',
      [
        '-qec',
        `${process.execPath} ${cliPath} check --only lock,gitignore --json >/dev/null`,
        '/dev/null',
      ],
      { cwd: repo.root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    const frames = screen.split('\r\u001b[K');
    expect(frames[0]).toBe('');
    expect(frames.at(-1)).toBe('');
    expect(frames.slice(1, -1).every((frame) => /^. checking: \d+ done/.test(frame))).toBe(true);
    expect(frames.some((frame) => /^. checking: 0 done · lock, gitignore$/.test(frame))).toBe(true);
    expect(screen).not.toContain('ok lock');
  });

  it('in a linked worktree, names the worktree whose venv is missing', async () => {
    const worktree = `${repo.root}-wt`;
    git(repo, 'worktree', 'add', '-q', worktree);
    try {
      const { code, report } = await json(repo, ['--only', 'worktree,import'], worktree);
      expect(report).toEqual({
        ok: false,
        checks: [
          {
            id: 'import',
            kind: 'import',
            target: 'python/.venv',
            ok: false,
            detail: 'imports not checked: python/.venv is missing (python/.venv does not exist)',
            fix: 'onevenv sync',
          },
          {
            id: 'worktree',
            kind: 'worktree',
            target: `worktree ${path.basename(worktree)}`,
            ok: false,
            detail: 'python/.venv is missing: python/.venv does not exist',
            fix: 'onevenv sync in this worktree (onevenv hook install sets up new worktrees on checkout)',
          },
        ],
      });
      expect(code).toBe(1);
    } finally {
      git(repo, 'worktree', 'remove', '--force', worktree);
    }
  });

  it('a stray venv and an unignored venv fail with their fixes', async () => {
    const ignores = await repo.read('.gitignore');
    await repo.write('.gitignore', 'build/\n');
    execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(repo.root, 'scripts/.venv')]);
    await repo.write(
      'tools/run.sh',
      '#!/bin/sh\ncd "$(dirname "$0")/.."\nexec scripts/.venv/bin/python tools/gen.py\n',
    );
    try {
      const { code, report } = await json(repo, ['--only', 'gitignore,stray-venv']);
      expect(report).toEqual({
        ok: false,
        checks: [
          {
            id: 'gitignore',
            kind: 'gitignore',
            target: 'python/.venv',
            ok: false,
            detail: 'python/.venv is not ignored by any .gitignore',
            fix: 'add /python/.venv/ and python/.venv.* to .gitignore (onevenv adopt --write adds them)',
          },
          {
            id: 'stray-venv:scripts/.venv',
            kind: 'stray-venv',
            target: 'scripts/.venv',
            ok: false,
            detail: 'scripts/.venv: used by script tools/run.sh (tools/run.sh:3); left on disk',
            fix: 'onevenv adopt --write moves its consumers onto python/.venv',
          },
        ],
      });
      expect(code).toBe(1);
      await fs.rm(path.join(repo.root, 'tools/run.sh'));
      const left = await json(repo, ['--only', 'stray-venv']);
      expect(left.report.checks).toEqual([
        {
          id: 'stray-venv:scripts/.venv',
          kind: 'stray-venv',
          target: 'scripts/.venv',
          ok: false,
          detail: 'scripts/.venv: left on disk',
          fix: 'nothing uses it: remove it (rm -rf scripts/.venv)',
        },
      ]);
    } finally {
      await fs.rm(path.join(repo.root, 'scripts'), { recursive: true, force: true });
      await fs.rm(path.join(repo.root, 'tools/run.sh'), { force: true });
      await repo.write('.gitignore', ignores);
    }
  });

  it('a changed declaration: the lock, the venv, the imports and the generated files are stale', async () => {
    const declaration = await repo.read('python/pyproject.toml');
    await repo.write(
      'python/pyproject.toml',
      declaration.replace('tools = ["twomods"]', 'tools = ["twomods", "alpha"]'),
    );
    try {
      const { code, report } = await json(repo, ['--only', 'lock,import,generated,worktree']);
      const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
      expect(Object.keys(byId)).toEqual([
        'import',
        'lock',
        'generated:python/README.md',
        'generated:python/setup.sh',
        'worktree',
      ]);
      expect(byId.lock).toEqual({
        id: 'lock',
        kind: 'lock',
        target: 'python/requirements.txt',
        ok: false,
        detail:
          "stale: python/pyproject.toml (or an editable package's pyproject.toml) changed since python/requirements.txt was generated",
        fix: 'onevenv lock',
      });
      expect(byId.import).toEqual({
        id: 'import',
        kind: 'import',
        target: 'python/.venv',
        ok: false,
        detail: expect.stringMatching(
          /^imports not checked: python\/\.venv is stale \(.*python\/pyproject\.toml changed since the last sync/,
        ),
        fix: 'onevenv sync',
      });
      expect(byId['generated:python/README.md']).toEqual({
        id: 'generated:python/README.md',
        kind: 'generated',
        target: 'python/README.md',
        ok: false,
        detail: expect.stringMatching(
          /^python\/README\.md is not what onevenv \S+ generates for python\/pyproject\.toml now \(first difference at line \d+\)$/,
        ),
        fix: 'onevenv adopt --write regenerates it',
      });
      expect(byId['generated:python/setup.sh']?.ok).toBe(false);
      expect(byId.worktree?.ok).toBe(false);
      expect(code).toBe(1);
    } finally {
      await repo.write('python/pyproject.toml', declaration);
    }
  });

  it('a generated file deleted or made non-executable', async () => {
    const script = path.join(repo.root, 'python/setup.sh');
    await fs.chmod(script, 0o644);
    const readme = await repo.read('python/README.md');
    await fs.rm(path.join(repo.root, 'python/README.md'));
    try {
      const { report } = await json(repo, ['--only', 'generated']);
      expect(report.checks).toEqual([
        {
          id: 'generated:python/README.md',
          kind: 'generated',
          target: 'python/README.md',
          ok: false,
          detail: 'python/README.md does not exist',
          fix: 'onevenv adopt --write generates it',
        },
        {
          id: 'generated:python/setup.sh',
          kind: 'generated',
          target: 'python/setup.sh',
          ok: false,
          detail: 'python/setup.sh is current but not executable',
          fix: 'chmod +x python/setup.sh',
        },
      ]);
    } finally {
      await fs.chmod(script, 0o755);
      await repo.write('python/README.md', readme);
    }
  });
});

describe('onevenv check: bad input', () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeRepo(
      { 'python/pyproject.toml': '[project]\nname = "x"\nversion = "0"\n' },
      { git: true },
    );
  });
  afterAll(() => repo.cleanup());

  it.each([
    [
      ['--only', 'mcp,bogus'],
      "error --only: unknown check kind 'bogus' (one of: import, mcp, cmake, abi, lock, generated, gitignore, stray-venv, worktree)\n",
    ],
    [
      ['--timeout', '0'],
      "error --timeout: expected a number of seconds, got '0' (e.g. --timeout 30)\n",
    ],
    [
      ['--build-dir', 'nowhere'],
      'error --build-dir nowhere: no CMakeCache.txt there (configure it first (cmake -S . -B nowhere -G Ninja), or use --configure)\n',
    ],
  ])('%j exits 2 with one line and changes nothing', async (args, stderr) => {
    const before = await repo.snapshot();
    const result = await runCli(['check', ...args], { cwd: repo.root });
    expect(result).toEqual({ code: 2, stdout: '', stderr });
    expect(await repo.snapshot()).toEqual(before);
  });
});
