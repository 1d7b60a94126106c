import os from 'node:os';
import path from 'node:path';

/**
 * Variables in MCP server definitions, expanded the way the client that reads the file
 * does when it starts the server.
 *
 * - `.mcp.json` and other `mcpServers` files (Claude Code and the clients sharing its
 *   format): `${VAR}` is the environment variable, `${VAR:-default}` the default when VAR
 *   is not set. A variable that is not set and has no default stops the client from
 *   starting the server: reported as missing.
 * - `.vscode/mcp.json` and `.cursor/mcp.json` (editor clients): `${workspaceFolder}`
 *   (and `${workspaceRoot}`), `${workspaceFolderBasename}`, `${userHome}`,
 *   `${pathSeparator}` / `${/}`, `${env:VAR}` (empty when not set). `${input:…}`,
 *   `${command:…}` and `${config:…}` need the editor: reported as unsupported. Anything
 *   else stays as written, as the editors leave it.
 */

export interface ExpandContext {
  env: NodeJS.ProcessEnv;
  /** Absolute workspace directory. */
  workspaceFolder: string;
  /** The editor clients' variables (`.vscode/`, `.cursor/` configs). */
  editor: boolean;
}

export interface Expanded {
  value: string;
  /** Environment variables that are not set and have no default. */
  missing: string[];
  /** Variables only the editor can supply (`input:token`). */
  unsupported: string[];
}

function expandEditor(inner: string, context: ExpandContext, result: Expanded): string | undefined {
  switch (inner) {
    case 'workspaceFolder':
    case 'workspaceRoot':
      return context.workspaceFolder;
    case 'workspaceFolderBasename':
      return path.basename(context.workspaceFolder);
    case 'userHome':
      return os.homedir();
    case 'pathSeparator':
    case '/':
      return path.sep;
  }
  const colon = inner.indexOf(':');
  if (colon === -1) return undefined;
  const scope = inner.slice(0, colon);
  if (scope === 'env') return context.env[inner.slice(colon + 1)] ?? '';
  if (scope === 'input' || scope === 'command' || scope === 'config') {
    result.unsupported.push(inner);
  }
  return undefined;
}

export function expandValue(value: string, context: ExpandContext): Expanded {
  const result: Expanded = { value, missing: [], unsupported: [] };
  result.value = value.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (context.editor) return expandEditor(inner, context, result) ?? whole;
    const dash = inner.indexOf(':-');
    const name = dash === -1 ? inner : inner.slice(0, dash);
    const set = context.env[name];
    if (set !== undefined) return set;
    if (dash !== -1) return inner.slice(dash + 2);
    result.missing.push(name);
    return whole;
  });
  return result;
}

export interface ExpandedServer {
  command: string;
  args: string[];
  env: Record<string, string>;
  missing: string[];
  unsupported: string[];
}

/** Command, arguments and env entries of one server, with every problem collected. */
export function expandServer(
  server: { command?: string; args: string[]; env: Record<string, string> },
  context: ExpandContext,
): ExpandedServer {
  const missing = new Set<string>();
  const unsupported = new Set<string>();
  const expand = (value: string) => {
    const out = expandValue(value, context);
    for (const name of out.missing) missing.add(name);
    for (const name of out.unsupported) unsupported.add(name);
    return out.value;
  };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(server.env)) env[key] = expand(value);
  return {
    command: expand(server.command ?? ''),
    args: server.args.map(expand),
    env,
    missing: [...missing],
    unsupported: [...unsupported],
  };
}
