// biome-ignore-all lint/suspicious/noTemplateCurlyInString: VS Code and MCP clients spell their variables ${name}.
import { LineIndex, makeReference } from '../reference.js';
import {
  decodeString,
  elements,
  entries,
  type JsonNode,
  parseJsonc,
  property,
  stringValue,
} from '../shared/jsonc.js';
import { MappedText } from '../shared/mapped-text.js';
import {
  basename,
  classifyExecutable,
  environmentOfDirectory,
  isPythonName,
  pythonPathEntries,
  type RepoPathOptions,
  resolveRepoPath,
  workspaceOf,
} from '../shared/paths.js';
import { rootVariables, scanMappedShell } from '../shared/shell.js';
import {
  type AdapterName,
  type DetectContext,
  type DetectResult,
  ENV_PATH_PYTHON,
  ENV_UNKNOWN,
  type Reference,
  type ReferenceKind,
  type SkipReason,
} from '../types.js';

export { workspaceOf };

export type McpTransport = 'stdio' | 'sse' | 'http';

/** One server of an MCP config, as a client would start it. */
export interface McpServer {
  name: string;
  transport: McpTransport;
  /** As written; clients expand `${VAR}` (and `${workspaceFolder}`) when they start it. */
  command?: string;
  args: string[];
  env: Record<string, string>;
  /**
   * Repo-relative directory the client starts the server in, and that relative paths in
   * `command`/`args` are read against: the config's workspace (the directory that holds
   * `.mcp.json`, or the parent of `.cursor/`/`.vscode/`), or the server's own `cwd` key.
   */
  cwd: string;
  /** The config sets `cwd` itself (VS Code and a few other clients). */
  cwdExplicit: boolean;
  url?: string;
  disabled: boolean;
  /** 1-based line of the server's name in the config. */
  line: number;
  /** Where the servers object lives: `mcpServers`, `servers` or `mcp.servers` (VS Code settings). */
  section: string;
  /** The variable the config's client expands to the workspace, when it has one. */
  rootVariable?: string;
}

const ROOT_VARIABLES = ['workspaceFolder', 'workspaceRoot'];

/** Clients that expand `${workspaceFolder}` in server definitions. */
function rootVariableFor(file: string): string | undefined {
  return /(^|\/)\.(cursor|vscode)\//.test(file) ? '${workspaceFolder}' : undefined;
}

function serversSection(
  root: JsonNode | undefined,
  file: string,
): { node: JsonNode; section: string } | undefined {
  const mcpServers = property(root, 'mcpServers');
  if (mcpServers?.type === 'object') return { node: mcpServers, section: 'mcpServers' };
  // `servers` is VS Code's key; only trusted in files named mcp.json, where nothing else uses it.
  const servers = property(root, 'servers');
  if (servers?.type === 'object' && basename(file).toLowerCase() === 'mcp.json') {
    return { node: servers, section: 'servers' };
  }
  return undefined;
}

function transportOf(server: JsonNode): McpTransport {
  const type = stringValue(property(server, 'type'))?.toLowerCase();
  if (type === 'stdio') return 'stdio';
  if (type === 'sse') return 'sse';
  if (type === 'http' || type === 'streamable-http' || type === 'streamablehttp') return 'http';
  const url = stringValue(property(server, 'url')) ?? stringValue(property(server, 'serverUrl'));
  if (url !== undefined && stringValue(property(server, 'command')) === undefined) {
    return /\/sse\/?$/.test(url) ? 'sse' : 'http';
  }
  return 'stdio';
}

function stringEnv(node: JsonNode | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of entries(node)) {
    const text = stringValue(value);
    if (text !== undefined) env[key] = text;
  }
  return env;
}

function readServer(
  name: string,
  server: JsonNode,
  lines: LineIndex,
  file: string,
  section: string,
): McpServer {
  const workspace = workspaceOf(file);
  const rootVariable = rootVariableFor(file);
  const cwdValue = stringValue(property(server, 'cwd'));
  const cwd =
    cwdValue === undefined
      ? workspace
      : resolveRepoPath(cwdValue, { cwd: workspace, rootVariables: ROOT_VARIABLES }).path;
  const command = stringValue(property(server, 'command'));
  const url = stringValue(property(server, 'url')) ?? stringValue(property(server, 'serverUrl'));
  const keyOffset = server.parent?.children?.[0]?.offset ?? server.offset;
  const result: McpServer = {
    name,
    transport: transportOf(server),
    args: elements(property(server, 'args')).flatMap((arg) => {
      const text = stringValue(arg);
      return text === undefined ? [] : [text];
    }),
    env: stringEnv(property(server, 'env')),
    cwd,
    cwdExplicit: cwdValue !== undefined,
    disabled: property(server, 'disabled')?.value === true,
    line: lines.position(keyOffset).line,
    section,
  };
  if (command !== undefined) result.command = command;
  if (url !== undefined) result.url = url;
  if (rootVariable !== undefined) result.rootVariable = rootVariable;
  return result;
}

function serverNodes(
  root: JsonNode | undefined,
  file: string,
): { section: string; servers: Array<[string, JsonNode]> } | undefined {
  const found = serversSection(root, file);
  if (!found) return undefined;
  return {
    section: found.section,
    servers: entries(found.node).filter(([, node]) => node.type === 'object'),
  };
}

/**
 * Every server of an MCP config, Python or not (the `check` command starts each stdio
 * server and reports the others as not checked). Pure; an unreadable file has none.
 */
export function listMcpServers(content: string, file: string): McpServer[] {
  const nodes = serverNodes(parseJsonc(content), file);
  if (!nodes) return [];
  const lines = new LineIndex(content);
  return nodes.servers.map(([name, node]) => readServer(name, node, lines, file, nodes.section));
}

type Meta = Record<string, string | number | boolean | string[]>;

interface ArgNode {
  node: JsonNode;
  value: string;
  /** Index in the server's `args` array; -1 for `command`. */
  index: number;
}

interface ServerScan {
  text: string;
  lines: LineIndex;
  file: string;
  server: McpServer;
  /** JSON path of the server object, e.g. ['mcpServers', 'codebase']. */
  path: string[];
  references: Reference[];
  adapter: AdapterName;
}

/** Runner programs that start Python in an environment of their own choosing. */
const RUNNERS: Record<string, { subcommand?: string; tool?: boolean }> = {
  uv: { subcommand: 'run' },
  uvx: { tool: true },
  pipx: { subcommand: 'run', tool: true },
  poetry: { subcommand: 'run' },
  pipenv: { subcommand: 'run' },
  pdm: { subcommand: 'run' },
  hatch: { subcommand: 'run' },
  rye: { subcommand: 'run' },
  conda: { subcommand: 'run' },
  mamba: { subcommand: 'run' },
  micromamba: { subcommand: 'run' },
  pixi: { subcommand: 'run' },
};

/** Console scripts that exist only as Python packages; on PATH they mean PATH's Python. */
const PYTHON_ENTRY_POINTS = new Set(['fastmcp', 'mcp']);

/** uv options that take a value (so the value is not mistaken for the command). */
const UV_VALUE_OPTIONS = new Set([
  '--directory',
  '--project',
  '--with',
  '--with-editable',
  '--with-requirements',
  '--python',
  '-p',
  '--group',
  '--only-group',
  '--no-group',
  '--extra',
  '--env-file',
  '--index',
  '--index-url',
  '--default-index',
  '--extra-index-url',
  '--find-links',
  '-f',
  '--package',
  '--cache-dir',
  '--config-file',
  '--prerelease',
  '--resolution',
  '--exclude-newer',
  '--link-mode',
  '--refresh-package',
  '--reinstall-package',
  '--upgrade-package',
  '-P',
  '--from',
  '--color',
  '--keyring-provider',
  '--index-strategy',
  '--environment',
  '-n',
  '--name',
  '--prefix',
  '--manifest-path',
  '-e',
]);

/** CPython options that take a value. */
const PYTHON_VALUE_OPTIONS = new Set(['-W', '-X', '-Q']);

/** The script or module a python argv runs: `server.py`, `-m pkg.server`, `-c code`. */
function pythonTarget(
  args: ArgNode[],
  server: McpServer,
): { script?: string; module?: string; code?: boolean } {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!.value;
    if (arg === '-m' || arg === '-c') {
      const next = args[i + 1]?.value;
      if (arg === '-c') return { code: true };
      return next === undefined ? {} : { module: next };
    }
    if (arg.startsWith('-m') && arg.length > 2) return { module: arg.slice(2) };
    if (PYTHON_VALUE_OPTIONS.has(arg)) {
      i += 1;
      continue;
    }
    if (arg.startsWith('-')) continue;
    const resolved = resolveRepoPath(arg, pathOptions(server));
    return { script: resolved.path };
  }
  return {};
}

function pathOptions(server: McpServer): RepoPathOptions {
  return { cwd: server.cwd, rootVariables: ROOT_VARIABLES };
}

function baseMeta(server: McpServer): Meta {
  const meta: Meta = {
    server: server.name,
    transport: server.transport,
    cwd: server.cwd,
    args: server.args,
  };
  if (server.command !== undefined) meta.command = server.command;
  const env = Object.entries(server.env).map(([key, value]) => `${key}=${value}`);
  if (env.length > 0) meta.env = env;
  if (server.rootVariable !== undefined) meta.rootVariable = server.rootVariable;
  if (server.disabled) meta.disabled = true;
  return meta;
}

function addReference(
  scan: ServerScan,
  node: JsonNode,
  span: { start: number; end: number } | undefined,
  kind: ReferenceKind,
  environment: string,
  skipReason: SkipReason | undefined,
  meta: Meta,
): void {
  const decoded = decodeString(scan.text, node);
  const start = span?.start ?? decoded?.start;
  const end = span?.end ?? decoded?.end;
  if (start === undefined || end === undefined) return;
  const fields: Parameters<typeof makeReference>[5] = {
    kind,
    adapter: scan.adapter,
    consumer: `MCP server ${scan.server.name}`,
    environment,
  };
  if (skipReason !== undefined) fields.skipReason = skipReason;
  fields.meta = meta;
  scan.references.push(makeReference(scan.text, scan.lines, scan.file, start, end, fields));
}

function jsonPathOf(scan: ServerScan, arg: ArgNode): string[] {
  return arg.index === -1 ? [...scan.path, 'command'] : [...scan.path, 'args', String(arg.index)];
}

/** Looks at argv (command first) and reports what in it runs Python. */
function scanArgv(scan: ServerScan, argv: ArgNode[]): void {
  const [command, ...args] = argv;
  if (!command) return;
  const name = basename(command.value.replace(/\\/g, '/')).replace(/\.exe$/i, '');

  if (/^(?:ba|z|da|k)?sh$/.test(name)) {
    scanShellArgv(scan, args);
    return;
  }
  if (name === 'env' && !command.value.includes('${')) {
    let i = 0;
    const assignments: ArgNode[] = [];
    while (i < args.length) {
      const arg = args[i]!;
      if (arg.value === '-u') {
        i += 2;
        continue;
      }
      if (arg.value.startsWith('-')) {
        i += 1;
        continue;
      }
      if (arg.value.indexOf('=') <= 0) break;
      assignments.push(arg);
      i += 1;
    }
    scanArgv(scan, args.slice(i));
    for (const arg of assignments) {
      const eq = arg.value.indexOf('=');
      scanEnvEntry(scan, arg.node, arg.value.slice(0, eq), eq + 1, jsonPathOf(scan, arg));
    }
    return;
  }

  const runner = RUNNERS[name];
  if (runner) {
    scanRunner(scan, command, args, name, runner);
    return;
  }

  const info = classifyExecutable(command.value, pathOptions(scan.server));
  if (info) {
    const meta: Meta = { ...baseMeta(scan.server), jsonPath: jsonPathOf(scan, command) };
    if (info.interpreter) {
      const target = pythonTarget(args, scan.server);
      if (target.script !== undefined) meta.script = target.script;
      if (target.module !== undefined) meta.module = target.module;
    } else {
      meta.entryPoint = basename(info.resolved);
    }
    addReference(
      scan,
      command.node,
      undefined,
      info.interpreter ? 'interpreter-path' : 'python-command',
      info.environment,
      info.skipReason,
      meta,
    );
    return;
  }
  if (PYTHON_ENTRY_POINTS.has(name) && !command.value.includes('/')) {
    const meta: Meta = {
      ...baseMeta(scan.server),
      jsonPath: jsonPathOf(scan, command),
      entryPoint: name,
    };
    addReference(scan, command.node, undefined, 'python-command', ENV_PATH_PYTHON, undefined, meta);
  }
}

/** `uv run …`, `uvx tool`, `poetry run …`: Python in the runner's own environment. */
function scanRunner(
  scan: ServerScan,
  command: ArgNode,
  args: ArgNode[],
  name: string,
  runner: { subcommand?: string; tool?: boolean },
): void {
  let i = 0;
  let project: string | undefined;
  let tool = runner.tool === true && name !== 'pipx';
  const options: string[] = [];
  // Global options may precede the subcommand (`uv --directory scripts run …`).
  while (i < args.length) {
    const value = args[i]!.value;
    if (runner.subcommand !== undefined && value === runner.subcommand) {
      i += 1;
      if (name === 'pipx') tool = true;
      break;
    }
    if (name === 'uv' && value === 'tool' && args[i + 1]?.value === 'run') {
      i += 2;
      tool = true;
      break;
    }
    if (!value.startsWith('-')) {
      if (runner.subcommand !== undefined) return;
      break;
    }
    const [option, inline] = value.split('=', 2) as [string, string | undefined];
    if (UV_VALUE_OPTIONS.has(option) && inline === undefined) {
      const next = args[i + 1]?.value;
      if ((option === '--directory' || option === '--project') && next !== undefined)
        project = next;
      if (next !== undefined) options.push(`${option}=${next}`);
      i += 2;
      continue;
    }
    if ((option === '--directory' || option === '--project') && inline !== undefined)
      project = inline;
    options.push(value);
    i += 1;
  }
  // Options of the subcommand itself (`uv run --with x --directory d python …`).
  while (i < args.length) {
    const value = args[i]!.value;
    if (value === '--') {
      i += 1;
      break;
    }
    if (!value.startsWith('-')) break;
    const [option, inline] = value.split('=', 2) as [string, string | undefined];
    if (UV_VALUE_OPTIONS.has(option) && inline === undefined) {
      const next = args[i + 1]?.value;
      if ((option === '--directory' || option === '--project') && next !== undefined)
        project = next;
      if (next !== undefined) options.push(`${option}=${next}`);
      i += 2;
      continue;
    }
    if ((option === '--directory' || option === '--project') && inline !== undefined)
      project = inline;
    options.push(value);
    i += 1;
  }
  const inner = args.slice(i);
  const meta: Meta = {
    ...baseMeta(scan.server),
    jsonPath: jsonPathOf(scan, command),
    runner: tool && name === 'uv' ? 'uvx' : name,
  };
  if (options.length > 0) meta.runnerOptions = options;
  const first = inner[0];
  if (tool) {
    if (first) meta.tool = first.value;
    addReference(scan, command.node, undefined, 'python-command', ENV_UNKNOWN, 'unsupported', meta);
    return;
  }
  const projectDir =
    project === undefined
      ? scan.server.cwd
      : resolveRepoPath(project, pathOptions(scan.server)).path;
  meta.project = projectDir;
  if (first) {
    const firstName = basename(first.value.replace(/\\/g, '/'));
    if (isPythonName(firstName)) {
      const target = pythonTarget(inner.slice(1), { ...scan.server, cwd: projectDir });
      if (target.script !== undefined) meta.script = target.script;
      if (target.module !== undefined) meta.module = target.module;
    } else if (/\.py$/i.test(first.value)) {
      meta.script = resolveRepoPath(first.value, {
        ...pathOptions(scan.server),
        cwd: projectDir,
      }).path;
    } else {
      meta.entryPoint = first.value;
    }
  }
  // uv and poetry choose the project's environment from the project directory and the
  // environment variables at run time; UV_PROJECT_ENVIRONMENT names it outright.
  const uvEnvironment = scan.server.env.UV_PROJECT_ENVIRONMENT;
  let environment = ENV_UNKNOWN;
  if (name === 'uv' && uvEnvironment !== undefined) {
    const resolved = resolveRepoPath(uvEnvironment, {
      ...pathOptions(scan.server),
      cwd: projectDir,
    });
    if (!resolved.unresolved) environment = resolved.path;
  }
  addReference(scan, command.node, undefined, 'python-command', environment, undefined, meta);
}

/** `sh -c "…"`: the script goes through the shared shell scanner. */
function scanShellArgv(scan: ServerScan, args: ArgNode[]): void {
  const index = args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg.value));
  const script = index === -1 ? undefined : args[index + 1];
  if (!script) return;
  const decoded = decodeString(scan.text, script.node);
  if (!decoded) return;
  const mapped = new MappedText().appendDecoded(decoded);
  const variables = rootVariables(ROOT_VARIABLES);
  // The client sets these before the shell starts; values that defer to other variables stay unknown.
  for (const [key, value] of Object.entries(scan.server.env)) {
    if (!value.includes('$')) variables[key] = value;
  }
  const { hits } = scanMappedShell(mapped, { cwd: scan.server.cwd, variables });
  for (const hit of hits) {
    const meta: Meta = {
      ...baseMeta(scan.server),
      ...(hit.meta ?? {}),
      jsonPath: jsonPathOf(scan, script),
    };
    addReference(scan, script.node, hit.span, hit.kind, hit.environment, hit.skipReason, meta);
  }
}

/** PYTHONPATH, VIRTUAL_ENV and UV_PROJECT_ENVIRONMENT in a server's environment. */
function scanEnvEntry(
  scan: ServerScan,
  node: JsonNode,
  key: string,
  valueOffset: number,
  jsonPath: string[],
): void {
  const decoded = decodeString(scan.text, node);
  if (!decoded) return;
  const value = decoded.value.slice(valueOffset);
  const span = {
    start: decoded.offsets[valueOffset] ?? decoded.end,
    end: decoded.end,
  };
  const meta: Meta = { ...baseMeta(scan.server), jsonPath };
  if (key === 'PYTHONPATH') {
    const paths = pythonPathEntries(value, pathOptions(scan.server));
    meta.paths = paths.paths;
    if (paths.appends) meta.appends = true;
    // The paths extend whichever interpreter the server runs.
    const runs = scan.references.find(
      (ref) => ref.kind === 'interpreter-path' || ref.kind === 'python-command',
    );
    addReference(
      scan,
      node,
      span,
      'pythonpath',
      runs?.environment ?? ENV_UNKNOWN,
      paths.unresolved ? 'contains-variable' : undefined,
      meta,
    );
    return;
  }
  if (key === 'VIRTUAL_ENV' || key === 'UV_PROJECT_ENVIRONMENT') {
    meta.variable = key;
    const resolved = resolveRepoPath(value, pathOptions(scan.server));
    const env: { environment: string; skipReason?: SkipReason } = resolved.unresolved
      ? { environment: ENV_UNKNOWN, skipReason: 'contains-variable' }
      : environmentOfDirectory(resolved.path, resolved.inRepo);
    addReference(scan, node, span, 'venv-variable', env.environment, env.skipReason, meta);
  }
}

function scanServer(scan: ServerScan, node: JsonNode): void {
  if (scan.server.transport !== 'stdio') return;
  const commandNode = property(node, 'command');
  const argv: ArgNode[] = [];
  const command = stringValue(commandNode);
  if (commandNode && command !== undefined)
    argv.push({ node: commandNode, value: command, index: -1 });
  elements(property(node, 'args')).forEach((arg, index) => {
    const value = stringValue(arg);
    if (value !== undefined) argv.push({ node: arg, value, index });
  });
  if (argv[0]?.index === -1) scanArgv(scan, argv);
  for (const [key, value] of entries(property(node, 'env'))) {
    if (value.type !== 'string') continue;
    scanEnvEntry(scan, value, key, 0, [...scan.path, 'env', key]);
  }
}

/**
 * References of the servers in a `servers`-shaped object node (shared with the VS Code
 * adapter, whose settings can hold `mcp.servers`).
 */
export function detectServers(
  text: string,
  lines: LineIndex,
  file: string,
  serversNode: JsonNode,
  path: string[],
  adapter: AdapterName = 'mcp-json',
): Reference[] {
  const references: Reference[] = [];
  for (const [name, node] of entries(serversNode)) {
    if (node.type !== 'object') continue;
    const server = readServer(name, node, lines, file, path.join('.'));
    const scan: ServerScan = {
      text,
      lines,
      file,
      server,
      path: [...path, name],
      references: [],
      adapter,
    };
    scanServer(scan, node);
    references.push(...scan.references);
  }
  return references;
}

export function detectMcpReferences(
  content: string,
  file: string,
  _context: DetectContext,
): DetectResult | null {
  const nodes = serversSection(parseJsonc(content), file);
  if (!nodes) return null;
  const lines = new LineIndex(content);
  const references = detectServers(content, lines, file, nodes.node, [nodes.section]);
  return references.length === 0 ? null : { references };
}

/** `.mcp.json`, `.cursor/mcp.json`, `.vscode/mcp.json` and any `*mcp*.json`. */
export function isMcpConfig(file: string): boolean {
  const name = basename(file).toLowerCase();
  return name.endsWith('.json') && name.includes('mcp');
}
