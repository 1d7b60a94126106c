import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathExists } from '../../util/fs.js';
import { SUMMARY_REQUEST } from './criteria.js';
import type { HttpExchange, ServerFacts } from './facts.js';

/** A port free right now on the loopback interface (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function exchange(url: string, init: RequestInit, request: string): Promise<HttpExchange> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    return { request, status: response.status, body: (await response.text()).trim() };
  } catch (error) {
    return { request, status: undefined, body: '', error: (error as Error).message };
  }
}

function lastLineOf(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  return lines.filter(Boolean).at(-1) ?? '';
}

export interface ServeOptions {
  env: NodeJS.ProcessEnv;
  /** How long the server may take to answer its first request. */
  startTimeoutMs?: number;
  onOutput?: (chunk: string) => void;
}

/**
 * Starts `script` (the repository's own start script) on a free port, sends one GET
 * /health and one POST /summary, then stops its whole process group (the script execs
 * uvicorn, which may have children) and proves the group is gone.
 */
export async function serveOnce(
  root: string,
  script: string,
  options: ServeOptions,
): Promise<ServerFacts> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(path.join(root, script), [], {
    cwd: root,
    env: { ...options.env, REPLAY_HOST: '127.0.0.1', REPLAY_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  // Whatever happens to the demo (an exception, Ctrl-C), the server does not outlive it.
  const stopOnExit = () => {
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  };
  process.once('exit', stopOnExit);
  process.once('SIGINT', stopOnExit);
  process.once('SIGTERM', stopOnExit);
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    options.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: { code: number | null } | undefined;
  const closed = new Promise<void>((resolve) => {
    child.once('close', (code) => {
      exited = { code };
      resolve();
    });
    child.once('error', (error) => {
      output += `${error.message}\n`;
      exited = { code: null };
      resolve();
    });
  });

  const exchanges: HttpExchange[] = [];
  let exitedEarly: ServerFacts['exitedEarly'];
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    let health: HttpExchange | undefined;
    while (Date.now() < deadline && !exited) {
      const attempt = await exchange(`${base}/health`, {}, 'GET /health');
      if (attempt.status !== undefined) {
        health = attempt;
        break;
      }
      await sleep(200);
    }
    if (exited) {
      exitedEarly = { code: exited.code, lastLine: lastLineOf(output) };
    } else if (!health) {
      exchanges.push({
        request: 'GET /health',
        status: undefined,
        body: '',
        error: `no answer on port ${port} within ${Math.round((options.startTimeoutMs ?? 60_000) / 1000)}s`,
      });
    } else {
      exchanges.push(health);
      exchanges.push(
        await exchange(
          `${base}/summary`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(SUMMARY_REQUEST),
          },
          'POST /summary',
        ),
      );
    }
  } finally {
    if (pid !== undefined && !exited) {
      signalGroup(pid, 'SIGTERM');
      const killAt = Date.now() + 10_000;
      while (groupAlive(pid) && Date.now() < killAt) await sleep(100);
      if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    }
    await closed;
    process.removeListener('exit', stopOnExit);
    process.removeListener('SIGINT', stopOnExit);
    process.removeListener('SIGTERM', stopOnExit);
  }
  let stopped = pid === undefined || !groupAlive(pid);
  if (!stopped && pid !== undefined) {
    // A process that ignored SIGTERM: it must not be left behind either way.
    await sleep(500);
    stopped = !groupAlive(pid);
    signalGroup(pid, 'SIGKILL');
  }
  return {
    port,
    exchanges,
    exitedEarly,
    ownVenvCreated: await pathExists(path.join(root, path.dirname(script), '.venv')),
    stopped,
  };
}
