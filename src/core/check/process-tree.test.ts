import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { groupLauncher, parseProcStat, processTable, stopTree, treeOf } from './process-tree.js';

describe('parseProcStat', () => {
  it('reads pid, state, parent and group after the last parenthesis of the name', () => {
    expect(parseProcStat('4242 (py (x) thon) S 17 4242 4242 0 -1 4194560 ...')).toEqual({
      pid: 4242,
      ppid: 17,
      pgid: 4242,
      state: 'S',
    });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

describe('treeOf', () => {
  it('takes the descendants and, for a group leader, its whole group; zombies left out', () => {
    const table = [
      { pid: 1, ppid: 0, pgid: 1, state: 'S' },
      { pid: 10, ppid: 1, pgid: 10, state: 'S' },
      { pid: 11, ppid: 10, pgid: 10, state: 'S' },
      { pid: 12, ppid: 11, pgid: 12, state: 'S' },
      // reparented to init, still in the group
      { pid: 13, ppid: 1, pgid: 10, state: 'S' },
      { pid: 14, ppid: 10, pgid: 10, state: 'Z' },
      { pid: 20, ppid: 1, pgid: 20, state: 'S' },
    ];
    expect(
      treeOf(table, 10)
        .map((e) => e.pid)
        .sort((a, b) => a - b),
    ).toEqual([10, 11, 12, 13]);
    expect(treeOf(table, 99)).toEqual([]);
  });
});

async function cmdlines(marker: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

describe.runIf(process.platform === 'linux')('stopTree on real processes', () => {
  it('stops a group leader and the children it started, even those ignoring SIGTERM', async () => {
    const marker = `onevenv-tree-${randomBytes(4).toString('hex')}`;
    const launcher = groupLauncher();
    expect(launcher).toBeDefined();
    // The leader starts two helpers (one ignores SIGTERM), then waits.
    const script = `trap '' TERM; sh -c "sleep 600; :" ${marker} & sh -c "trap '' TERM; sleep 600; :" ${marker} & wait`;
    const child = spawn(launcher!, ['sh', '-c', script, marker], { stdio: 'ignore' });
    const pid = child.pid!;
    let members: Awaited<ReturnType<typeof processTable>> = [];
    for (let i = 0; i < 100 && members.length < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      members = treeOf(await processTable(), pid);
    }
    expect(members.find((e) => e.pid === pid)?.pgid).toBe(pid);
    expect(members.length).toBe(5);
    expect((await cmdlines(marker)).length).toBeGreaterThanOrEqual(3);
    await stopTree(pid, members, { graceMs: 300 });
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(await cmdlines(marker)).toEqual([]);
    const group = (await processTable()).filter((e) => e.pgid === pid && e.state !== 'Z');
    expect(group).toEqual([]);
  });
});
