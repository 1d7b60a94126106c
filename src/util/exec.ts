import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { InterruptedError } from './errors.js';

// node:child_process brings net, dgram and the stream stack with it (about 2 ms of every
// start): the CLI imports this module for its signal handlers, and a no-op sync spawns
// nothing, so the module loads on the first spawn.
const require = createRequire(import.meta.url);
function spawn(...args: Parameters<typeof import('node:child_process').spawn>): ChildProcess {
  return (require('node:child_process') as typeof import('node:child_process')).spawn(...args);
}

/**
 * Every child runs in its own process group with an argument array (never a shell), so
 * a config value can never be executed as shell text, and Ctrl-C can stop a whole
 * install (pip → its build subprocesses) rather than just the first process.
 */

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kill the process group after this many milliseconds. */
  timeoutMs?: number;
  /** Called with each chunk of stderr as it arrives (progress display). */
  onStderr?: (chunk: string) => void;
  onStdout?: (chunk: string) => void;
}

export interface RunResult {
  command: string;
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const active = new Set<ChildProcess>();
let interrupted = false;
let handlersInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Stop every child group we started; used on SIGINT/SIGTERM and by tests. */
export function killActiveChildren(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of active) killGroup(child, signal);
}

/**
 * Process ids (each also its group id) of the children running now: recorded in the
 * environment lock, so whoever takes over after a SIGKILL can stop orphans still writing.
 */
export function activeChildPids(): number[] {
  const pids: number[] = [];
  for (const child of active) if (child.pid !== undefined) pids.push(child.pid);
  return pids;
}

export function wasInterrupted(): boolean {
  return interrupted;
}

/**
 * Installed by the CLI: the first Ctrl-C stops children and lets the command unwind
 * (its finally blocks release locks and leave state not-ready); a second exits at once.
 */
export function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    killActiveChildren('SIGTERM');
    setTimeout(() => killActiveChildren('SIGKILL'), 1000).unref();
    if (active.size === 0) {
      // Nothing to wait for: let the event loop notice via checkInterrupted().
      setImmediate(() => {
        if (signal === 'SIGINT') process.exitCode = 130;
      });
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

export function checkInterrupted(): void {
  if (interrupted) throw new InterruptedError();
}

export function runProcess(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  checkInterrupted();
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      reject(error);
      return;
    }
    active.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        killGroup(child, 'SIGTERM');
        setTimeout(() => killGroup(child, 'SIGKILL'), 2000).unref();
      }, options.timeoutMs);
    }
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(chunk);
    });
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(chunk);
    });
    if (options.input !== undefined) {
      child.stdin?.on('error', () => {
        // The child may exit before reading its input; its exit status tells the story.
      });
      child.stdin?.end(options.input);
    }
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      active.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      active.delete(child);
      if (interrupted) {
        reject(new InterruptedError());
        return;
      }
      resolve({ command, args, code, signal, stdout, stderr, timedOut });
    });
  });
}

/** True when `command` can be spawned (ENOENT otherwise). */
export async function commandExists(
  command: string,
  args: string[] = ['--version'],
): Promise<boolean> {
  try {
    const result = await runProcess(command, args, { timeoutMs: 30_000 });
    return result.code === 0;
  } catch {
    return false;
  }
}
