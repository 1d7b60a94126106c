import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { toolVersion } from '../venv/tool-version.js';
import { groupLauncher, processTable, stopTree, treeOf } from './process-tree.js';

/**
 * One MCP handshake through the official TypeScript SDK: `Client` over
 * `StdioClientTransport` (or an HTTP/SSE transport for remote servers), `initialize`, then
 * `tools/list` (every page), all within one deadline. The server is always shut down: one
 * that answered gets SIGTERM at once, then the SDK's close (stdin closed, then SIGTERM, then
 * SIGKILL), then whatever is left of its process group or its descendants is stopped.
 */

export type HandshakePhase = 'start' | 'initialize' | 'tools/list';

export interface HandshakeResult {
  ok: boolean;
  phase: HandshakePhase;
  /** Number of tools (ok only). */
  tools: number;
  /** The server offers no tools capability (ok only). */
  noTools: boolean;
  serverName: string | undefined;
  /** What went wrong (not ok). */
  error: string | undefined;
  timedOut: boolean;
  /** The server's process ended before it answered. */
  exited: boolean;
  /** The last of what the server wrote to stderr. */
  stderr: string;
}

export interface StdioServerParams {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Servers running now, so an interrupt or an early exit can stop them. */
const running = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const stopAll = () => {
    // Synchronous: the groups get SIGKILL; the servers were started by us alone.
    for (const pid of running) {
      try {
        process.kill(groupLauncher() ? -pid : pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stopAll);
}

const STDERR_KEEP = 16 * 1024;

class Tail {
  private text = '';
  push(chunk: Buffer | string): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.text.length > STDERR_KEEP * 2) this.text = this.text.slice(-STDERR_KEEP);
  }
  toString(): string {
    return this.text.slice(-STDERR_KEEP);
  }
}

class Deadline {
  readonly promise: Promise<never>;
  private timer: NodeJS.Timeout | undefined;
  expired = false;
  constructor(ms: number) {
    this.promise = new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => {
        this.expired = true;
        reject(new Error(`no answer within ${Math.round(ms / 100) / 10} s`));
      }, ms);
    });
    this.promise.catch(() => {});
  }
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.promise]);
  }
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

function isConnectionClosed(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === -32000 || /connection closed/i.test((error as Error).message ?? '');
}

async function talk(
  client: Client,
  transport: Transport,
  timeoutMs: number,
  stderr: Tail,
  closed: () => boolean,
): Promise<HandshakeResult> {
  const result: HandshakeResult = {
    ok: false,
    phase: 'start',
    tools: 0,
    noTools: false,
    serverName: undefined,
    error: undefined,
    timedOut: false,
    exited: false,
    stderr: '',
  };
  const deadline = new Deadline(timeoutMs);
  const options = { timeout: timeoutMs };
  try {
    result.phase = 'initialize';
    await deadline.race(client.connect(transport, options));
    result.serverName = client.getServerVersion()?.name;
    if (!client.getServerCapabilities()?.tools) {
      result.noTools = true;
      result.ok = true;
      return result;
    }
    result.phase = 'tools/list';
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const answer = await deadline.race(
        client.listTools(cursor === undefined ? undefined : { cursor }, options),
      );
      result.tools += answer.tools.length;
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    result.ok = true;
  } catch (error) {
    result.timedOut = deadline.expired;
    result.exited = !deadline.expired && (closed() || isConnectionClosed(error));
    result.error = (error as Error).message ?? String(error);
  } finally {
    deadline.clear();
    result.stderr = stderr.toString();
  }
  return result;
}

/** Starts a stdio server, talks to it, stops it. Never throws for the server's faults. */
export async function stdioHandshake(
  params: StdioServerParams,
  timeoutMs: number,
): Promise<HandshakeResult> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  installExitHook();
  const launcher = groupLauncher();
  const transport = new StdioClientTransport({
    command: launcher ?? params.command,
    args: launcher ? [params.command, ...params.args] : params.args,
    env: params.env,
    cwd: params.cwd,
    stderr: 'pipe',
  });
  const stderr = new Tail();
  transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  let pid: number | undefined;
  let isClosed = false;
  // The pid is read as soon as the SDK has spawned: after its close() it is gone.
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    pid = transport.pid ?? undefined;
    if (pid !== undefined) running.add(pid);
  };
  const client = new Client({ name: 'onevenv-check', version: toolVersion() });
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  client.onclose = () => {
    isClosed = true;
    markClosed();
  };
  let result: HandshakeResult | undefined;
  try {
    result = await talk(client, transport, timeoutMs, stderr, () => isClosed);
  } finally {
    const members = pid === undefined ? [] : treeOf(await processTable(), pid);
    if (result?.ok && pid !== undefined && !isClosed) await terminate(pid, closed);
    try {
      await client.close();
    } catch {
      // the server is being stopped either way
    }
    if (pid !== undefined) {
      await stopTree(pid, members);
      running.delete(pid);
    }
  }
  if (!result.ok && result.phase === 'initialize' && pid === undefined) result.phase = 'start';
  result.stderr = stderr.toString();
  return result;
}

/** How long a server that answered gets to exit on SIGTERM before the SDK's close. */
const TERMINATE_GRACE_MS = 2_000;

/**
 * A server that answered has shown what check asks of it: it gets SIGTERM at once. The
 * SDK's close (stdin closed, then up to 2 s for an exit) lets a Python server run its
 * shutdown (bench P5: 0.3 s of CPU per fastmcp server, while the others still start).
 * Whatever does not exit is stopped by the close and stopTree as before.
 */
async function terminate(pid: number, closed: Promise<void>): Promise<void> {
  try {
    process.kill(groupLauncher() ? -pid : pid, 'SIGTERM');
  } catch {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, TERMINATE_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
}

/** Connects to a remote server (`--network`): streamable HTTP, or SSE for `sse` servers. */
export async function remoteHandshake(
  url: string,
  transportKind: 'sse' | 'http',
  timeoutMs: number,
): Promise<HandshakeResult> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  let transport: Transport;
  if (transportKind === 'sse') {
    const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
    transport = new SSEClientTransport(new URL(url));
  } else {
    const { StreamableHTTPClientTransport } = await import(
      '@modelcontextprotocol/sdk/client/streamableHttp.js'
    );
    transport = new StreamableHTTPClientTransport(new URL(url));
  }
  const client = new Client({ name: 'onevenv-check', version: toolVersion() });
  let isClosed = false;
  client.onclose = () => {
    isClosed = true;
  };
  try {
    return await talk(client, transport, timeoutMs, new Tail(), () => isClosed);
  } finally {
    try {
      await client.close();
    } catch {
      // nothing to stop
    }
  }
}
