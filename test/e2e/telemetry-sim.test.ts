import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOnce } from '../../src/core/demo/server.js';
import { gitEnv } from '../helpers/repo.js';
import {
  cleanNpmEnv,
  hashTree,
  mcpServers,
  mcpSession,
  packPackage,
  type Run,
  restrictedBin,
  restrictedEnv,
  run,
} from './support.js';

/**
 * The seed ticket's repository end to end, on the published artifact: `npm pack`, then
 * `npx <tarball> demo --keep DIR` from an empty directory adopts the bundled example and
 * proves AC1–AC7. The adopted, committed repository it leaves in DIR is then cloned
 * (setup with only system tools), given a worktree (the post-checkout hook), and set up
 * again (nothing changes). One demo run serves every test: it is the expensive part.
 */

const MINUTE = 60_000;

let work: string;
let adopted: string;
let packed: { tarball: string; files: string[] };
let version: Run;
let demo: Run;

const HEALTH = '{"status":"ok","reader":"msd_reader"}';
const SUMMARY = '{"records":2,"mean_speed_mps":5.0}';
const FIND_PARSE_RECORD = [
  { name: 'parse_record', kind: 'function', file: 'include/msd/record.hpp', line: 18 },
  { name: 'parse_record', kind: 'function', file: 'src/record.cpp', line: 8 },
];

beforeAll(async () => {
  work = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-e2e-')));
  adopted = path.join(work, 'telemetry-sim');
  packed = await packPackage(work);
  const empty = path.join(work, 'empty');
  await fs.mkdir(empty);
  const env = cleanNpmEnv({ NO_COLOR: '1' });
  // As a user types it: a path to the tarball (npx takes an absolute one for a command).
  const tarball = path.relative(empty, packed.tarball);
  version = await run('npx', ['--yes', tarball, '--version'], { cwd: empty, env });
  demo = await run('npx', ['--yes', tarball, 'demo', '--keep', adopted, '--json'], {
    cwd: empty,
    env,
    timeoutMs: 15 * MINUTE,
  });
}, 25 * MINUTE);

/** The packed onevenv, as `npx <tarball>` runs it: every command of the suite uses the same build. */
function packedCli(args: string[], cwd: string, timeoutMs = 5 * MINUTE): Promise<Run> {
  const tarball = path.relative(cwd, packed.tarball);
  return run('npx', ['--yes', tarball, ...args], {
    cwd,
    env: cleanNpmEnv({ NO_COLOR: '1' }),
    timeoutMs,
  });
}

afterAll(async () => {
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('the published package', () => {
  it('carries the CLI, the built code and the example, and no sources or tests', () => {
    expect(packed.files).toContain('bin/onevenv.js');
    expect(packed.files).toContain('dist/cli.js');
    expect(packed.files).toContain('dist/commands/demo.js');
    expect(packed.files).toContain('examples/telemetry-sim/gitignore');
    expect(packed.files).toContain('examples/telemetry-sim/replay/start_server.sh');
    expect(
      packed.files.filter((file) => file.startsWith('src/') || file.endsWith('.test.js')),
    ).toEqual([]);
  });

  it('runs from an empty directory with npx', async () => {
    const pkg = JSON.parse(
      await fs.readFile(path.join(work, 'package-source/package.json'), 'utf8'),
    );
    expect({ code: version.code, stdout: version.stdout, stderr: version.stderr }).toEqual({
      code: 0,
      stdout: `${pkg.version}\n`,
      stderr: expect.not.stringMatching(/error/i),
    });
  });

  it('demo passes AC1–AC7 on the bundled example', () => {
    expect(demo.stdout.startsWith('{'), demo.stderr).toBe(true);
    const report = JSON.parse(demo.stdout) as {
      ok: boolean;
      criteria: Array<{ id: string; ok: boolean; detail: string }>;
      dir: string;
    };
    const failed = report.criteria.filter((row) => !row.ok);
    expect(failed).toEqual([]);
    expect({ code: demo.code, ok: report.ok, dir: report.dir }).toEqual({
      code: 0,
      ok: true,
      dir: adopted,
    });
    expect(report.criteria.map((row) => row.id)).toEqual([
      'AC1',
      'AC2',
      'AC3',
      'AC4',
      'AC5',
      'AC6',
      'AC7',
    ]);
    // The narration (stderr) shows every step done; --json leaves stdout to the report.
    const steps = [...demo.stderr.matchAll(/^([✓✗–]) \d {2}(\w+)/gmu)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(steps).toEqual([
      '✓ copy',
      '✓ scan',
      '✓ adopt',
      '✓ setup',
      '✓ build',
      '✓ check',
      '✓ replay',
    ]);
  });
});

describe('the adopted repository', () => {
  it(
    'a clean clone sets up with only python3, builds debug-all, serves MCP and the replay server',
    async () => {
      const clone = path.join(work, 'clone');
      const cloned = await run('git', ['clone', '-q', adopted, clone], {
        cwd: work,
        env: gitEnv(),
      });
      expect(cloned.code).toBe(0);
      const env = restrictedEnv(await restrictedBin(path.join(work, 'ci-bin')));
      const absent = await run(
        'sh',
        ['-c', 'command -v node; command -v npm; command -v npx; command -v uv; true'],
        {
          cwd: clone,
          env,
        },
      );
      expect(absent.stdout).toBe('');

      const setup = await run(path.join(clone, 'python/setup.sh'), [], {
        cwd: clone,
        env,
        timeoutMs: 15 * MINUTE,
      });
      expect({ code: setup.code, stderr: setup.stderr }).toEqual({
        code: 0,
        stderr: expect.stringMatching(
          /Installing \d+ packages from python\/requirements\.txt with pip/,
        ),
      });
      expect(setup.stderr).toMatch(
        /^python\/\.venv ready: Python 3\.\d+\.\d+, \d+ packages \(pip, /m,
      );

      const configure = await run('cmake', ['--preset', 'debug'], { cwd: clone, env });
      expect({ code: configure.code, stderr: configure.stderr }).toEqual({
        code: 0,
        stderr: expect.any(String),
      });
      const build = await run('cmake', ['--build', '--preset', 'debug-all'], { cwd: clone, env });
      expect({ code: build.code, stderr: build.stderr }).toEqual({ code: 0, stderr: '' });
      expect(build.stdout).toContain('trace-symbols: 9 symbols');

      const servers = await mcpServers(clone);
      expect(Object.keys(servers).sort()).toEqual(['codebase', 'traceability']);
      for (const config of Object.values(servers))
        expect(config.command).toBe('python/.venv/bin/python3');
      expect(
        await mcpSession(clone, servers.codebase!, env, {
          name: 'find_symbol',
          arguments: { name: 'parse_record' },
        }),
      ).toEqual({ server: 'codebase', tools: ['find_symbol'], call: FIND_PARSE_RECORD });
      expect(
        await mcpSession(clone, servers.traceability!, env, {
          name: 'list_decisions',
          arguments: {},
        }),
      ).toEqual({
        server: 'traceability',
        tools: ['list_decisions', 'recent_commits'],
        call: [{ id: '0001', title: 'Telemetry records are CSV lines', status: 'accepted' }],
      });

      const served = await serveOnce(clone, 'replay/start_server.sh', { env });
      expect(served).toEqual({
        port: expect.any(Number),
        exchanges: [
          { request: 'GET /health', status: 200, body: HEALTH },
          { request: 'POST /summary', status: 200, body: SUMMARY },
        ],
        exitedEarly: undefined,
        ownVenvCreated: false,
        stopped: true,
      });
    },
    30 * MINUTE,
  );

  it(
    'a new worktree gets its own venv from the post-checkout hook; check passes there; the main venv is untouched',
    async () => {
      const marker = path.join(adopted, 'python/.venv/.onevenv-state.json');
      const markerBefore = await fs.readFile(marker);
      const venvBefore = await hashTree(path.join(adopted, 'python/.venv'));

      const hook = await packedCli(['hook', 'install', '--json'], adopted);
      expect(hook.code).toBe(0);
      expect(JSON.parse(hook.stdout)).toEqual({
        action: 'installed',
        hook: path.join(adopted, '.git/hooks/post-checkout'),
        chained: null,
      });

      const worktree = path.join(work, 'feature');
      const added = await run('git', ['worktree', 'add', '-q', '-b', 'feature', worktree], {
        cwd: adopted,
        env: gitEnv(),
        timeoutMs: 15 * MINUTE,
      });
      expect({
        code: added.code,
        ran: added.stderr.includes('onevenv: running python/setup.sh (post-checkout)'),
      }).toEqual({
        code: 0,
        ran: true,
      });
      const status = await packedCli(['status', '--json'], worktree);
      expect(JSON.parse(status.stdout)).toMatchObject({
        state: 'ready',
        venv: path.join(worktree, 'python/.venv'),
        imports: { ok: true, failed: [] },
      });

      const configure = await run('cmake', ['--preset', 'debug'], { cwd: worktree });
      expect(configure.code).toBe(0);
      const build = await run('cmake', ['--build', '--preset', 'debug-all'], { cwd: worktree });
      expect(build.code).toBe(0);
      const check = await packedCli(['check', '--json'], worktree, 10 * MINUTE);
      const report = JSON.parse(check.stdout) as {
        ok: boolean;
        checks: Array<{ ok: boolean; target: string; detail: string }>;
      };
      expect(report.checks.filter((entry) => !entry.ok)).toEqual([]);
      expect({ code: check.code, ok: report.ok }).toEqual({ code: 0, ok: true });

      expect(await fs.readFile(marker)).toEqual(markerBefore);
      expect(await hashTree(path.join(adopted, 'python/.venv'))).toEqual(venvBefore);
    },
    30 * MINUTE,
  );

  it(
    'running python/setup.sh and onevenv sync again changes nothing',
    async () => {
      const before = await hashTree(adopted);
      const setup = await run(path.join(adopted, 'python/setup.sh'), [], { cwd: adopted });
      expect({ code: setup.code, stderr: setup.stderr }).toEqual({
        code: 0,
        stderr: expect.stringMatching(
          /^python\/\.venv is up to date \(Python 3\.\d+\.\d+, \d+ packages\)\n$/,
        ),
      });
      expect(await hashTree(adopted)).toEqual(before);

      const sync = await packedCli(['sync', '--json'], adopted);
      expect(sync.code).toBe(0);
      expect(JSON.parse(sync.stdout)).toMatchObject({
        changed: false,
        imports: { ok: true, failed: [] },
      });
      expect(await hashTree(adopted)).toEqual(before);
    },
    10 * MINUTE,
  );
});
