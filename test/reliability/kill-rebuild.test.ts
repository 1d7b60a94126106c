import { spawn } from 'node:child_process';
import { promises as fs, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticEnv } from '../helpers/locked-repo.js';
import { copyOfPython } from '../helpers/python-install.js';
import { runCli, type TempRepo } from '../helpers/repo.js';
import { installedPins, lockedPins } from '../helpers/venv-checks.js';
import {
  expectRecovered,
  killMoments,
  killWithRetries,
  markerState,
  report,
  seedFrom,
  signalGroup,
  sleep,
  snapshotOutsideVenv,
  startCli,
  status,
  tempLeftovers,
} from './support.js';
import { sweepRepo } from './sweep.js';

/**
 * Issue acceptance, kill during rebuild: from a ready venv, a change that forces a rebuild
 * (the Python requirement moves to another minor version; the base interpreter the venv
 * was built from is deleted), then the rebuilding sync killed at 10 seeded moments (SIGKILL
 * and SIGINT in turn). The venv path must never look ready while it is the wrong venv, and
 * the next sync must converge on the right one.
 */

const MOMENTS = 10;
const seed = seedFrom('RELIABILITY_SEED', 9201);

interface Trigger {
  /** Makes the ready venv wrong. */
  apply(index: number): Promise<void>;
  /** Is the venv now at the path the right one (after the trigger)? */
  right(): Promise<boolean>;
  /** After recovery: put things back so the next trigger forces a rebuild again. */
  reset(index: number): Promise<void>;
  /** After a run that rebuilt before its moment: a ready venv that `apply` makes wrong. */
  undo(index: number): Promise<void>;
  env: NodeJS.ProcessEnv;
}

async function rebuildSweep(repo: TempRepo, name: string, trigger: Trigger) {
  const env = trigger.env;
  // Measure one rebuild run to the end.
  await trigger.apply(-1);
  const started = Date.now();
  const measured = startCli(['sync', '--json'], { cwd: repo.root, env });
  const measuredEnd = await measured.exit;
  expect([measuredEnd.code, measured.stderr()]).toEqual([
    0,
    expect.stringContaining('Rebuilding python/.venv'),
  ]);
  const durationMs = measuredEnd.at - started;
  expect(await trigger.right()).toBe(true);
  await trigger.reset(-1);

  const counts = {
    killed: 0,
    finishedFirst: 0,
    killedAfterReady: 0,
    notReady: 0,
    converged: 0,
  };
  const scale = { value: 1 };
  for (const [index, moment] of killMoments(seed, MOMENTS, durationMs).entries()) {
    const signal = index % 2 === 0 ? 'SIGKILL' : 'SIGINT';
    const where = `${name} ${signal} #${index} at ${moment} ms`;
    const outcome = await killWithRetries(moment, durationMs, scale, async (delay, last) => {
      await trigger.apply(index);
      const before = await snapshotOutsideVenv(repo);
      const startedAt = Date.now();
      const run = startCli(['sync', '--json'], { cwd: repo.root, env });
      await sleep(delay);
      const sent = signalGroup(run.child, signal);
      const end = await run.exit;
      if (!sent && !last) {
        // It rebuilt before its moment: check it, put the wrong venv back, try earlier.
        expect([where, end.code, await trigger.right()]).toEqual([where, 0, true]);
        await trigger.undo(index);
      }
      return { sent, ranMs: end.at - startedAt, before };
    });
    const { sent, before } = outcome;
    counts.finishedFirst += outcome.finishedFirst;
    const state = await status(repo.root, env);
    if (sent) counts.killed++;
    else counts.finishedFirst++;
    if (state.state === 'ready') {
      // Ready only if the run got to its last write, and then it is the right venv.
      if (sent) counts.killedAfterReady++;
      expect([where, await markerState(repo.root), await trigger.right()]).toEqual([
        where,
        'ready',
        true,
      ]);
      expect([where, installedPins(repo.root)]).toEqual([where, await lockedPins(repo.root)]);
    } else {
      expect([where, sent]).toEqual([where, true]);
      counts.notReady++;
    }
    try {
      await expectRecovered(repo, before, env);
    } catch (error) {
      (error as Error).message = `${where}: ${(error as Error).message}`;
      throw error;
    }
    expect([where, await trigger.right()]).toEqual([where, true]);
    counts.converged++;
    await trigger.reset(index);
  }
  report(`kill during rebuild (${name})`, {
    moments: MOMENTS,
    seed,
    measuredMs: durationMs,
    ...counts,
  });
  return counts;
}

describe('uv: kill during a rebuild', () => {
  let repo: TempRepo;
  let copies: string;
  beforeAll(async () => {
    repo = await sweepRepo('uv');
    copies = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-rebuild-pythons-'));
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(copies, { recursive: true, force: true });
  });

  it('the Python requirement moves between 3.11 and 3.12: killed at 10 moments', async () => {
    const pin = (index: number) => (index % 2 === 0 ? '3.12' : '3.11');
    let wanted = '3.11';
    await repo.write('.python-version', '3.11\n');
    const first = await expectRecovered(repo, await snapshotOutsideVenv(repo));
    expect(first.changed).toBe(true);
    const counts = await rebuildSweep(repo, 'requires 3.11 ↔ 3.12', {
      env: {},
      async apply(index) {
        wanted = index === -1 ? '3.12' : pin(index);
        await repo.write('.python-version', `${wanted}\n`);
      },
      async right() {
        const now = await status(repo.root);
        return now.pythonVersion?.startsWith(`${wanted}.`) === true;
      },
      async undo(index) {
        // Back on the other version, built to the end.
        wanted = pin(index + 1);
        await repo.write('.python-version', `${wanted}\n`);
        await expectRecovered(repo, await snapshotOutsideVenv(repo));
      },
      async reset(index) {
        // The next moment's pin differs from this one's, so each moment rebuilds.
        if (index === -1) {
          wanted = '3.11';
          await repo.write('.python-version', '3.11\n');
          await expectRecovered(repo, await snapshotOutsideVenv(repo));
        }
      },
    });
    expect(counts.converged).toBe(MOMENTS);
    expect(counts.killed).toBe(MOMENTS);
  }, 600_000);

  it('the base interpreter is deleted: killed at 10 moments', async () => {
    await fs.rm(path.join(repo.root, '.python-version'), { force: true });
    // Two hard-linked copies of one installation on PATH: deleting the executable of the
    // one the venv was built from leaves the other to rebuild from.
    const a = await copyOfPython(path.join(copies, 'a'));
    const b = await copyOfPython(path.join(copies, 'b'));
    const dirs = [a, b].map((copy) => path.dirname(copy.executable));
    const env = { PATH: [...dirs, process.env.PATH].join(path.delimiter) };
    const baseOf = () => realpathSync(path.join(repo.root, 'python/.venv/bin/python'));
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
    await expectRecovered(repo, await snapshotOutsideVenv(repo), env);
    expect(baseOf()).toBe(a.executable);
    let deleted = '';
    const counts = await rebuildSweep(repo, 'base interpreter deleted', {
      env,
      async apply() {
        deleted = baseOf();
        await fs.rm(deleted);
      },
      async right() {
        try {
          const base = baseOf();
          return base !== deleted && (base === a.executable || base === b.executable);
        } catch {
          return false;
        }
      },
      async reset() {
        const other = deleted === a.executable ? b.executable : a.executable;
        await fs.link(other, deleted);
      },
      async undo() {
        // The venv now uses the other copy: the next apply deletes that one.
        const other = deleted === a.executable ? b.executable : a.executable;
        await fs.link(other, deleted);
      },
    });
    expect(counts.converged).toBe(MOMENTS);
    expect(counts.killed).toBe(MOMENTS);
  }, 600_000);
});

describe('a run killed after it marked the venv ready', () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await sweepRepo('uv');
    await expectRecovered(repo, await snapshotOutsideVenv(repo));
    const { generateSetupScript } = await import('../../src/core/setup-script/generate.js');
    const { loadConfig } = await import('../../src/core/config.js');
    await repo.write('python/setup.sh', generateSetupScript(await loadConfig(repo.root)));
  });
  afterAll(() => repo.cleanup());

  /** Its lock (holder dead) and the old venv it was deleting, pyvenv.cfg still there. */
  async function leaveLeftovers(): Promise<void> {
    const dead = spawn('true', [], { stdio: 'ignore' });
    await new Promise((resolve) => dead.on('close', resolve));
    await repo.write(
      'python/.venv.lock',
      `${JSON.stringify({ pid: dead.pid, host: os.hostname(), token: 'gone', startedAt: '', children: [] })}\n`,
    );
    await repo.write('python/.venv.onevenv-trash-0123abcd/pyvenv.cfg', 'home = /nowhere\n');
    await repo.write('python/.venv.onevenv-trash-0123abcd/lib/python3.11/site-packages/x.py', '');
  }

  it.each([
    ['onevenv sync', ['sync']],
    ['python/setup.sh', ['setup.sh']],
  ])('%s clears its lock and its half-deleted old venv', async (_name, how) => {
    const before = await snapshotOutsideVenv(repo);
    await leaveLeftovers();
    expect(await tempLeftovers(repo.root)).toEqual([
      'python/.venv.lock',
      'python/.venv.onevenv-trash-0123abcd',
    ]);
    const result =
      how[0] === 'sync'
        ? await runCli(['sync'], { cwd: repo.root, env: hermeticEnv() })
        : await runProcessResult('sh', ['python/setup.sh'], repo.root);
    expect([result.code, result.stderr]).toEqual([
      0,
      expect.stringContaining('python/.venv is up to date'),
    ]);
    expect(await tempLeftovers(repo.root)).toEqual([]);
    expect(await snapshotOutsideVenv(repo)).toEqual(before);
    expect((await status(repo.root)).state).toBe('ready');
  });
  it.each([
    ['onevenv sync', 'sync', '..onevenv-state.json.onevenv-4194303-abcdef012345.tmp'],
    ['python/setup.sh', 'setup.sh', '.onevenv-state.json.4194303.abcd0123.tmp'],
  ])(
    '%s builds a venv whose first marker write was killed (only its temp file there)',
    async (_name, how, temp) => {
      await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
      await repo.write(`python/.venv/${temp}`, '{"format": 2, "sta');
      const before = await snapshotOutsideVenv(repo);
      const result =
        how === 'sync'
          ? await runCli(['sync'], { cwd: repo.root, env: hermeticEnv() })
          : await runProcessResult('sh', ['python/setup.sh'], repo.root);
      expect([result.code, result.stderr]).toEqual([
        0,
        expect.stringContaining('python/.venv ready'),
      ]);
      expect(await tempLeftovers(repo.root)).toEqual([]);
      expect(await snapshotOutsideVenv(repo)).toEqual(before);
      expect((await status(repo.root)).state).toBe('ready');
    },
  );
});

async function runProcessResult(command: string, args: string[], cwd: string) {
  const { runProcess } = await import('../../src/util/exec.js');
  return runProcess(command, args, { cwd, env: { ...process.env, ...hermeticEnv() } });
}
