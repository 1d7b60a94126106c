import { randomBytes } from 'node:crypto';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../util/errors.js';
import { checkInterrupted } from '../../util/exec.js';

/**
 * The exclusive lock held while a venv is changed. Node has no flock(), so the lock is a
 * file created atomically beside the venv (never inside: a rebuild renames the venv
 * directory): its content is written to a temporary file first and hard-linked into
 * place, so the lock file never exists half-written, and `link` fails when it exists.
 * The same protocol is a few lines of POSIX sh (`ln` of a temp file), for setup.sh.
 *
 * The content names the holder (pid, host, start time) and the process groups it has
 * started. A holder that died (SIGKILL, power loss) leaves the file behind: the next run
 * sees the pid is gone, stops any orphaned children still writing into the venv, and
 * takes over. Breaking a stale lock is itself guarded by a second lock file so that two
 * waiters cannot both break it and both believe they hold the lock.
 */

export interface LockHolder {
  pid: number;
  host: string;
  /** Linux: the holder's start time in clock ticks since boot, to detect pid reuse. */
  procStart: string | undefined;
  startedAt: string;
  token: string;
  /** Process group ids of the holder's children running now. */
  children: number[];
}

export interface EnvLock {
  path: string;
  /**
   * Set in every child's environment as ONEVENV_LOCK_TOKEN: a takeover finds the dead
   * holder's descendants by it (Linux /proc), even one started the instant before the kill.
   */
  token: string;
  /** Records the holder's running children (so a takeover can stop orphans). */
  recordChildren(pids: number[]): Promise<void>;
  release(): Promise<void>;
}

export interface AcquireOptions {
  timeoutSeconds: number;
  /** Called once, when the lock is held by another live process and we start waiting. */
  onWait?: (holder: LockHolder) => void;
  /** Shows a path to the user (repository-relative). */
  display?: (file: string) => string;
  /** Poll interval, milliseconds. */
  pollMs?: number;
}

function procStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

export function describeHolder(holder: LockHolder): string {
  return holder.host === os.hostname()
    ? `pid ${holder.pid}`
    : `pid ${holder.pid} on ${holder.host}`;
}

/** True only when we can tell the holder is gone; a holder on another host is assumed alive. */
export function holderIsDead(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (procState(holder.pid) === 'Z') return true;
  const start = procStartOf(holder.pid);
  return holder.procStart !== undefined && start !== undefined && start !== holder.procStart;
}

export function parseHolder(text: string): LockHolder | undefined {
  try {
    const data = JSON.parse(text) as Partial<LockHolder>;
    if (typeof data.pid !== 'number' || typeof data.token !== 'string') return undefined;
    return {
      pid: data.pid,
      host: typeof data.host === 'string' ? data.host : os.hostname(),
      procStart: typeof data.procStart === 'string' ? data.procStart : undefined,
      startedAt: typeof data.startedAt === 'string' ? data.startedAt : '',
      token: data.token,
      children: Array.isArray(data.children)
        ? data.children.filter((c): c is number => typeof c === 'number')
        : [],
    };
  } catch {
    return undefined;
  }
}

/** The current holder of the lock at `lockPath`, if any (for `status`). */
export async function readLockHolder(lockPath: string): Promise<LockHolder | undefined> {
  try {
    return parseHolder(await fs.readFile(lockPath, 'utf8'));
  } catch {
    return undefined;
  }
}

function tempName(target: string): string {
  return `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Creates `target` with `content` only if it does not exist, never half-written. */
async function createExclusive(target: string, content: string): Promise<boolean> {
  const temp = tempName(target);
  await fs.writeFile(temp, content, { flag: 'wx' });
  try {
    await fs.link(temp, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    // A file system without hard links: O_EXCL create (a kill mid-write leaves an
    // unparsable file, which is treated as stale once it is old).
    try {
      await fs.writeFile(target, content, { flag: 'wx' });
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    await fs.rm(temp, { force: true });
  }
}

async function readIfExists(file: string): Promise<{ text: string; mtimeMs: number } | undefined> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { text, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export const LOCK_TOKEN_VARIABLE = 'ONEVENV_LOCK_TOKEN';

/** Processes whose environment carries the token (Linux; elsewhere none are found). */
function processesWithToken(token: string): number[] {
  if (!token) return [];
  const needle = `${LOCK_TOKEN_VARIABLE}=${token}\0`;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle))
        found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return procState(pid) !== 'Z';
}

/** Orphans of a dead holder (an installer still writing): stop them before we touch the venv. */
async function stopOrphans(holder: LockHolder | undefined): Promise<void> {
  if (!holder) return;
  const groups = holder.children.filter((pgid) => pgid > 1 && groupAlive(pgid));
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const strays = processesWithToken(holder.token);
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const deadline = Date.now() + 5000;
  while ((groups.some(groupAlive) || strays.some(processAlive)) && Date.now() < deadline) {
    await sleep(20);
  }
}

const UNPARSABLE_STALE_MS = 10_000;

/** Removes the stale lock whose text we read, unless someone replaced it meanwhile. */
async function breakStale(lockPath: string, staleText: string, ownContent: string): Promise<void> {
  const guard = `${lockPath}.break`;
  if (!(await createExclusive(guard, ownContent))) {
    const existing = await readIfExists(guard);
    const guardHolder = existing ? parseHolder(existing.text) : undefined;
    if (
      existing &&
      ((guardHolder && holderIsDead(guardHolder)) ||
        Date.now() - existing.mtimeMs > UNPARSABLE_STALE_MS)
    ) {
      await fs.rm(guard, { force: true });
    }
    return;
  }
  try {
    const now = await readIfExists(lockPath);
    if (now?.text !== staleText) return;
    await stopOrphans(parseHolder(staleText));
    await fs.rm(lockPath, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}

/** Temp files of holders that died between writing and linking, and a dead breaker's guard. */
async function removeDeadTemps(lockPath: string): Promise<void> {
  const guard = await readIfExists(`${lockPath}.break`);
  const guardHolder = guard ? parseHolder(guard.text) : undefined;
  if (
    guard &&
    (guardHolder ? holderIsDead(guardHolder) : Date.now() - guard.mtimeMs > UNPARSABLE_STALE_MS)
  ) {
    await fs.rm(`${lockPath}.break`, { force: true });
  }
  const dir = path.dirname(lockPath);
  const base = path.basename(lockPath);
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = /^(.*)\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(entry);
    if (!match || (match[1] !== base && match[1] !== `${base}.break`)) continue;
    const pid = Number(match[2]);
    if (pid === process.pid) continue;
    if (
      holderIsDead({
        pid,
        host: os.hostname(),
        procStart: undefined,
        startedAt: '',
        token: '',
        children: [],
      })
    ) {
      await fs.rm(path.join(dir, entry), { force: true });
    }
  }
}

export async function acquireEnvLock(lockPath: string, options: AcquireOptions): Promise<EnvLock> {
  const display = options.display ?? ((file: string) => file);
  const pollMs = options.pollMs ?? 100;
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    procStart: procStartOf(process.pid),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    children: [],
  };
  const content = () => `${JSON.stringify(holder)}\n`;
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let announced = false;
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  for (;;) {
    checkInterrupted();
    if (await createExclusive(lockPath, content())) break;
    const existing = await readIfExists(lockPath);
    if (!existing) continue;
    const other = parseHolder(existing.text);
    const stale = other ? holderIsDead(other) : Date.now() - existing.mtimeMs > UNPARSABLE_STALE_MS;
    if (stale) {
      await breakStale(lockPath, existing.text, content());
      continue;
    }
    if (!announced && other) {
      announced = true;
      options.onWait?.(other);
    }
    if (Date.now() >= deadline) {
      const who = other ? describeHolder(other) : 'an unknown process';
      throw new UserError(
        `timed out after ${options.timeoutSeconds} s waiting for ${display(lockPath)}, held by ${who}`,
        {
          location: { file: display(lockPath) },
          fix: 'wait for that onevenv to finish or stop it; [tool.onevenv] lock-timeout sets how long to wait',
        },
      );
    }
    await sleep(pollMs + Math.floor(Math.random() * pollMs));
  }
  await removeDeadTemps(lockPath);

  async function stillOurs(): Promise<boolean> {
    const now = await readIfExists(lockPath);
    return now !== undefined && parseHolder(now.text)?.token === holder.token;
  }

  return {
    path: lockPath,
    token: holder.token,
    async recordChildren(pids) {
      holder.children = pids;
      if (!(await stillOurs())) return;
      // Rename over the lock: readers see the old content or the new, the name never vanishes.
      const temp = tempName(lockPath);
      await fs.writeFile(temp, content(), { flag: 'wx' });
      await fs.rename(temp, lockPath);
    },
    async release() {
      if (await stillOurs()) await fs.rm(lockPath, { force: true });
    },
  };
}
