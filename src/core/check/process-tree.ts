import { existsSync, promises as fs } from 'node:fs';
import { runProcess } from '../../util/exec.js';
import { findExecutable } from '../tools.js';

/**
 * Stopping a started server and everything it started. The server runs as the leader of
 * a process group of its own (through setsid(1) where it exists), so one signal to the
 * group reaches its children too; where that is not possible, the descendants seen while
 * it ran are signalled one by one.
 */

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** One letter as in ps(1); `Z` is a zombie: dead, only waiting to be reaped. */
  state: string;
}

/** `/proc/<pid>/stat`: the command name may hold spaces and parentheses; fields follow the last `)`. */
export function parseProcStat(text: string): ProcessEntry | undefined {
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const pid = Number.parseInt(text, 10);
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const ppid = Number(fields[1]);
  const pgid = Number(fields[2]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isInteger(pgid))
    return undefined;
  return { pid, ppid, pgid, state: fields[0] ?? '?' };
}

async function procTable(): Promise<ProcessEntry[]> {
  const names = await fs.readdir('/proc');
  const entries = await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        try {
          return parseProcStat(await fs.readFile(`/proc/${name}/stat`, 'utf8'));
        } catch {
          return undefined;
        }
      }),
  );
  return entries.filter((entry): entry is ProcessEntry => entry !== undefined);
}

async function psTable(): Promise<ProcessEntry[]> {
  try {
    const result = await runProcess('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], {
      timeoutMs: 10_000,
    });
    return result.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length >= 4)
      .map(([pid, ppid, pgid, stat]) => ({
        pid: Number(pid),
        ppid: Number(ppid),
        pgid: Number(pgid),
        state: (stat ?? '?').charAt(0),
      }))
      .filter((entry) => Number.isInteger(entry.pid));
  } catch {
    return [];
  }
}

/** Every process of the machine (that we may see), from /proc where there is one, else ps(1). */
export function processTable(): Promise<ProcessEntry[]> {
  return existsSync('/proc/self/stat') ? procTable() : psTable();
}

/** `pid`, its descendants, and (when it leads one) its process group: the live ones. */
export function treeOf(table: ProcessEntry[], pid: number): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of table) {
    let list = children.get(entry.ppid);
    if (!list) {
      list = [];
      children.set(entry.ppid, list);
    }
    list.push(entry);
  }
  const leader = table.find((entry) => entry.pid === pid);
  const found = new Map<number, ProcessEntry>();
  const queue = leader ? [leader] : [];
  if (leader?.pgid === pid) {
    for (const entry of table) if (entry.pgid === pid) queue.push(entry);
  }
  while (queue.length > 0) {
    const entry = queue.pop()!;
    if (found.has(entry.pid)) continue;
    found.set(entry.pid, entry);
    queue.push(...(children.get(entry.pid) ?? []));
  }
  return [...found.values()].filter((entry) => entry.state !== 'Z');
}

let setsidPath: string | null | undefined;

/**
 * setsid(1) of util-linux: started by us (never a group leader) it does not fork, it makes
 * itself a session and group leader and execs the program, so the server's pid is its
 * group's id. Undefined where there is none (macOS).
 */
export function groupLauncher(): string | undefined {
  if (setsidPath === undefined) {
    setsidPath = process.platform === 'linux' ? (findExecutable('setsid') ?? null) : null;
  }
  return setsidPath ?? undefined;
}

function signal(entries: ProcessEntry[], name: NodeJS.Signals, pgid: number | undefined): void {
  if (pgid !== undefined) {
    try {
      process.kill(-pgid, name);
    } catch {
      // the group is gone
    }
  }
  for (const entry of entries) {
    try {
      process.kill(entry.pid, name);
    } catch {
      // already gone
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Stops what remains of `members` (taken from `treeOf` while the server ran) and of the
 * server's process group: SIGTERM, then SIGKILL for whatever is still there after
 * `graceMs`. A pid is signalled only while it still has the group or parent it had, so a
 * number the system reused is left alone.
 */
export async function stopTree(
  pid: number,
  members: ProcessEntry[],
  options: { graceMs?: number } = {},
): Promise<void> {
  const leader = members.find((entry) => entry.pid === pid);
  const pgid = leader?.pgid === pid && pid !== process.pid ? pid : undefined;
  const known = new Map(members.map((entry) => [entry.pid, entry]));
  const remaining = async () => {
    const table = await processTable();
    return table.filter((entry) => {
      if (entry.state === 'Z' || entry.pid === process.pid) return false;
      if (pgid !== undefined && entry.pgid === pgid) return true;
      const before = known.get(entry.pid);
      return before !== undefined && before.pgid === entry.pgid;
    });
  };
  let left = await remaining();
  if (left.length === 0) return;
  signal(left, 'SIGTERM', pgid);
  const deadline = Date.now() + (options.graceMs ?? 1000);
  while (Date.now() < deadline) {
    await sleep(50);
    left = await remaining();
    if (left.length === 0) return;
  }
  signal(left, 'SIGKILL', pgid);
  // SIGKILL cannot be refused, but delivery takes a moment: return once they are gone.
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline) {
    await sleep(20);
    if ((await remaining()).length === 0) return;
  }
}
