// biome-ignore-all lint/suspicious/noTemplateCurlyInString: MCP clients spell their variables ${name}.
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import {
  isMcpConfig,
  listMcpServers,
  type McpServer,
  workspaceOf,
} from '../../adapters/mcp-json/detect.js';
import { ENV_UNKNOWN } from '../../adapters/types.js';
import { checkInterrupted } from '../../util/exec.js';
import type { ScanReference } from '../scan/model.js';
import { findExecutable } from '../tools.js';
import type { CheckContext } from './context.js';
import { expandServer, expandValue } from './mcp-expand.js';
import type { HandshakeResult } from './mcp-handshake.js';
import type { CheckTask, TaskOutcome } from './task.js';
import { type CheckResult, failed, passed, skipped } from './types.js';

/**
 * `mcp`: every server of every MCP config is started the way its client starts it (its
 * directory, command, arguments and env, variables expanded), and must answer
 * `initialize` and `tools/list` through the official SDK within the timeout. A server the
 * scan sees running Python off the unified venv fails even when it answers.
 */

/** Configs clients read from fixed places: checked even when .gitignore hides them. */
const WELL_KNOWN = ['.mcp.json', '.cursor/mcp.json', '.vscode/mcp.json'];

/** Variables that would make a server see another Python than the config says. */
const DROPPED_ENV = ['PYTHONPATH', 'PYTHONHOME'];

export interface ImportProblem {
  /** The exception line, e.g. `ModuleNotFoundError: No module named 'fastmcp'`. */
  line: string;
  /** The module that could not be imported, when the message names it. */
  module: string | undefined;
}

/** The last ImportError a Python traceback in `stderr` reports. */
export function importErrorOf(stderr: string): ImportProblem | undefined {
  const lines = stderr.split('\n').map((line) => line.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!/^(?:ModuleNotFoundError|ImportError): /.test(line)) continue;
    const module =
      /No module named '([^']+)'/.exec(line)?.[1] ??
      /cannot import name '[^']+' from '([^']+)'/.exec(line)?.[1] ??
      /No module named ([\w.]+)/.exec(line)?.[1];
    return { line, module };
  }
  return undefined;
}

/** The last `count` non-blank lines, each indented. */
export function stderrTail(stderr: string, count = 8): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
  return lines
    .slice(-count)
    .map((line) => `  ${line}`)
    .join('\n');
}

interface ServerEntry {
  file: string;
  server: McpServer;
}

async function readServers(context: CheckContext): Promise<ServerEntry[]> {
  const listing = await context.files();
  const files = new Set(listing.files.filter(isMcpConfig));
  for (const file of WELL_KNOWN) if (existsSync(context.absolute(file))) files.add(file);
  const entries: ServerEntry[] = [];
  for (const file of [...files].sort()) {
    let text: string;
    try {
      text = await fs.readFile(context.absolute(file), 'utf8');
    } catch {
      continue;
    }
    for (const server of listMcpServers(text.replace(/^\uFEFF/, ''), file)) {
      entries.push({ file, server });
    }
  }
  return entries;
}

function serverReferences(
  references: readonly ScanReference[],
  entry: ServerEntry,
): ScanReference[] {
  const consumer = `MCP server ${entry.server.name}`;
  return references.filter(
    (reference) =>
      reference.file === entry.file &&
      reference.consumer === consumer &&
      (reference.kind === 'interpreter-path' || reference.kind === 'python-command'),
  );
}

/** The environment a server runs that is definitely not the unified venv, if any. */
function offVenv(references: ScanReference[]): ScanReference | undefined {
  return references.find(
    (reference) =>
      !reference.unified &&
      reference.skipReason === undefined &&
      reference.environment !== ENV_UNKNOWN,
  );
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isExecutableFile(file: string): boolean {
  return findExecutable(file) !== undefined;
}

function commandLine(command: string, args: string[]): string {
  return [command, ...args]
    .map((word) => (/[\s"']/.test(word) ? JSON.stringify(word) : word))
    .join(' ');
}

function missingCommandFix(context: CheckContext, entry: ServerEntry, resolved: string): string {
  const venv = context.config.venv;
  if (resolved === venv || resolved.startsWith(`${venv}${path.sep}`)) {
    return `onevenv sync (creates ${context.venvShown})`;
  }
  if (
    existsSync(path.join(path.dirname(path.dirname(resolved)), 'pyvenv.cfg')) ||
    /venv/i.test(resolved)
  ) {
    return `point the server at ${context.pythonShown} (onevenv adopt --write makes the edit)`;
  }
  return `install ${path.basename(resolved)}, or fix "command" of ${entry.server.name} in ${entry.file}`;
}

function describeFailure(result: HandshakeResult, seconds: number): string {
  if (result.timedOut) return `did not answer ${result.phase} within ${seconds} s (stopped)`;
  if (result.phase === 'start') return `could not be started: ${result.error}`;
  if (result.exited) return `exited before answering ${result.phase}`;
  return `${result.phase} failed: ${result.error}`;
}

function failureFix(
  context: CheckContext,
  entry: ServerEntry,
  result: HandshakeResult,
  problem: ImportProblem | undefined,
  references: ScanReference[],
  shownCommand: string,
): string {
  const seconds = context.options.timeoutMs / 1000;
  if (problem) {
    if (offVenv(references)) {
      return `run the server with ${context.pythonShown}, where the locked packages are (onevenv adopt --write makes the edit)`;
    }
    if (problem.module === undefined) {
      return `fix the import error above in ${context.venvShown} (a native library missing, a module built for another Python?)`;
    }
    const top = problem.module.split('.')[0];
    return `add the package that provides '${top}' to a group (onevenv add <package> --group <group>) and run onevenv sync; for the repository's own code, set PYTHONPATH in the server's env`;
  }
  if (result.timedOut) {
    return `the server must answer initialize on stdin/stdout within ${seconds} s (nothing else on stdout); try it by hand: ${shownCommand}, or raise --timeout`;
  }
  return `run it by hand from ${entry.server.cwd === '.' ? 'the repository root' : entry.server.cwd} to see why: ${shownCommand}`;
}

async function checkStdioServer(context: CheckContext, entry: ServerEntry): Promise<CheckResult> {
  const { server, file } = entry;
  const id = `mcp:${file}#${server.name}`;
  const target = `${server.name} (${file})`;
  const workspaceFolder = context.absolute(workspaceOf(file));
  const expanded = expandServer(server, {
    env: context.options.env,
    workspaceFolder,
    editor: server.rootVariable !== undefined,
  });
  if (expanded.unsupported.length > 0) {
    return skipped(
      'mcp',
      id,
      target,
      `not checked: needs ${expanded.unsupported.map((name) => `\${${name}}`).join(', ')}, which only the editor can supply`,
    );
  }
  if (expanded.missing.length > 0) {
    const names = expanded.missing.join(', ');
    return failed(
      'mcp',
      id,
      target,
      `the client cannot start it: environment variable${expanded.missing.length === 1 ? '' : 's'} ${names} not set`,
      `set ${names}, or give a default in ${file} (\${${expanded.missing[0]}:-value})`,
    );
  }
  if (expanded.command === '') {
    return failed(
      'mcp',
      id,
      target,
      'the server has no "command"',
      `add "command" to ${server.name} in ${file}`,
    );
  }
  const cwd = context.absolute(server.cwd);
  const shownCommand = commandLine(server.command ?? '', server.args);
  let cwdOk = false;
  try {
    cwdOk = statSync(cwd).isDirectory();
  } catch {
    cwdOk = false;
  }
  if (!cwdOk) {
    return failed(
      'mcp',
      id,
      target,
      `its working directory ${server.cwd} does not exist`,
      `fix "cwd" of ${server.name} in ${file}`,
    );
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(context.options.env)) {
    if (value !== undefined && !DROPPED_ENV.includes(key)) env[key] = value;
  }
  Object.assign(env, expanded.env);
  const command = expanded.command.includes('/')
    ? path.resolve(cwd, expanded.command)
    : findExecutable(expanded.command, env.PATH);
  if (command !== undefined && !isExecutableFile(command) && isFile(command)) {
    return failed(
      'mcp',
      id,
      target,
      `command is not executable: ${context.display(command)}`,
      `chmod +x ${context.display(command)}, or run it through its interpreter in ${file}`,
    );
  }
  if (command === undefined || !isExecutableFile(command)) {
    const resolved = command ?? expanded.command;
    return failed(
      'mcp',
      id,
      target,
      `command not found: ${expanded.command.includes('/') ? context.display(resolved) : `${expanded.command} (not on PATH)`}`,
      missingCommandFix(context, entry, resolved),
    );
  }
  checkInterrupted();
  const { stdioHandshake } = await import('./mcp-handshake.js');
  const result = await stdioHandshake(
    { command, args: expanded.args, env, cwd },
    context.options.timeoutMs,
  );
  const references = serverReferences((await context.scan()).references, entry);
  return handshakeCheck(context, entry, id, target, result, references, shownCommand);
}

function handshakeCheck(
  context: CheckContext,
  entry: ServerEntry,
  id: string,
  target: string,
  result: HandshakeResult,
  references: ScanReference[],
  shownCommand: string,
): CheckResult {
  const name = entry.server.name;
  if (result.ok) {
    const answered = result.noTools
      ? `${name} answered initialize; it offers no tools`
      : `${name} answered initialize and tools/list: ${result.tools} tool${result.tools === 1 ? '' : 's'}`;
    const off = offVenv(references);
    if (off) {
      return failed(
        'mcp',
        id,
        target,
        `${answered}, but it runs ${off.environment} (${off.file}:${off.line} ${off.text}), not ${context.venvShown}`,
        `point it at ${context.pythonShown} (onevenv adopt --write makes the edit)`,
      );
    }
    return passed('mcp', id, target, answered);
  }
  const seconds = context.options.timeoutMs / 1000;
  const problem = importErrorOf(result.stderr);
  let detail = `${name} ${describeFailure(result, seconds)}`;
  if (problem) {
    detail += `: ${problem.line}${problem.module ? ` (cannot import ${problem.module})` : ''}`;
  }
  const tail = stderrTail(result.stderr);
  if (tail !== '') detail += `\nstderr (last lines):\n${tail}`;
  return failed(
    'mcp',
    id,
    target,
    detail,
    failureFix(context, entry, result, problem, references, shownCommand),
  );
}

async function checkRemoteServer(context: CheckContext, entry: ServerEntry): Promise<CheckResult> {
  const { server, file } = entry;
  const id = `mcp:${file}#${server.name}`;
  const target = `${server.name} (${file})`;
  const url = server.url ?? '';
  if (!context.options.network) {
    return skipped(
      'mcp',
      id,
      target,
      `not checked: ${server.transport} server ${url || '(no url)'} (--network connects to it)`,
    );
  }
  const expanded = expandValue(url, {
    env: context.options.env,
    workspaceFolder: context.absolute(workspaceOf(file)),
    editor: server.rootVariable !== undefined,
  });
  let parsed: URL;
  try {
    parsed = new URL(expanded.value);
  } catch {
    return failed(
      'mcp',
      id,
      target,
      `invalid url ${expanded.value}`,
      `fix "url" of ${server.name} in ${file}`,
    );
  }
  const { remoteHandshake } = await import('./mcp-handshake.js');
  const result = await remoteHandshake(
    parsed.href,
    server.transport === 'sse' ? 'sse' : 'http',
    context.options.timeoutMs,
  );
  if (result.ok) {
    return passed(
      'mcp',
      id,
      target,
      result.noTools
        ? `${server.name} answered initialize; it offers no tools`
        : `${server.name} answered initialize and tools/list: ${result.tools} tool${result.tools === 1 ? '' : 's'}`,
    );
  }
  const seconds = context.options.timeoutMs / 1000;
  return failed(
    'mcp',
    id,
    target,
    result.timedOut
      ? `${server.name} at ${parsed.href} did not answer ${result.phase} within ${seconds} s`
      : `${server.name} at ${parsed.href}: ${result.phase} failed: ${result.error}`,
    `start the server, or fix "url" of ${server.name} in ${file}`,
  );
}

async function checkServer(context: CheckContext, entry: ServerEntry): Promise<CheckResult> {
  const { server, file } = entry;
  if (server.disabled) {
    return skipped(
      'mcp',
      `mcp:${file}#${server.name}`,
      `${server.name} (${file})`,
      'not checked: disabled in the config',
    );
  }
  if (server.transport !== 'stdio') return checkRemoteServer(context, entry);
  return checkStdioServer(context, entry);
}

export const mcpTask: CheckTask = {
  kind: 'mcp',
  label: 'mcp configs',
  async run(context: CheckContext): Promise<TaskOutcome> {
    const servers = await readServers(context);
    if (servers.length === 0) {
      return {
        checks: [
          skipped(
            'mcp',
            'mcp',
            'MCP servers',
            'no MCP config with servers (.mcp.json, .cursor/mcp.json, .vscode/mcp.json, *mcp*.json)',
          ),
        ],
      };
    }
    return {
      checks: [],
      tasks: servers.map((entry) => ({
        kind: 'mcp' as const,
        label: `mcp ${entry.server.name}`,
        run: async (ctx: CheckContext) => ({ checks: [await checkServer(ctx, entry)] }),
      })),
    };
  },
};
