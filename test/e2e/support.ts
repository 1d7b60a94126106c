import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { projectRoot } from '../helpers/repo.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real process to its end (its own process group, killed whole on timeout). */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(
      () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      },
      options.timeoutMs ?? 10 * 60_000,
    );
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The environment for a nested npm or npx: without the `npm_*` variables of the npm that
 * started the tests (`npm test`, `npx vitest`), which would point it at this project
 * (npm_config_local_prefix) instead of the directory it runs in.
 */
export function cleanNpmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) || name === 'INIT_CWD') continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/** What `npm pack` needs to build the package from its sources. */
const PACKAGE_INPUTS = [
  'package.json',
  'package-lock.json',
  'README.md',
  'tsconfig.json',
  'tsconfig.build.json',
  'bin',
  'src',
  'examples',
];

/**
 * `npm pack` from a copy of the sources without dist/: prepack must build dist itself,
 * so a tarball that works proves the published package carries everything it needs.
 * Returns the tarball's path and its file list.
 */
export async function packPackage(work: string): Promise<{ tarball: string; files: string[] }> {
  const source = path.join(work, 'package-source');
  const out = path.join(work, 'packed');
  await fs.mkdir(source);
  await fs.mkdir(out);
  for (const entry of PACKAGE_INPUTS) {
    await fs.cp(path.join(projectRoot, entry), path.join(source, entry), { recursive: true });
  }
  await fs.symlink(path.join(projectRoot, 'node_modules'), path.join(source, 'node_modules'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', out], {
    cwd: source,
    env: cleanNpmEnv(),
    timeoutMs: 5 * 60_000,
  });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  return {
    tarball: path.join(out, info!.filename),
    files: info!.files.map((file) => file.path).sort(),
  };
}

function realExecutable(name: string): string {
  if (name === 'python3') {
    // A pyenv shim is a script that needs pyenv: link the interpreter it stands for.
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
    }).trim();
  }
  return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
}

/**
 * A directory of symlinks to exactly the tools the "CI with only a system Python" case
 * may use: python3, a shell, git, the C++ toolchain (cmake, ninja, c++ and the assembler
 * and linker the compiler driver runs, ar and ranlib for the static library), and the coreutils the start script calls. No
 * node, no npm, no uv.
 */
export const RESTRICTED_TOOLS = [
  'python3',
  'sh',
  'bash',
  'git',
  'cmake',
  'ninja',
  'c++',
  'as',
  'ld',
  'ar',
  'ranlib',
  'dirname',
];

export async function restrictedBin(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (const tool of RESTRICTED_TOOLS) {
    await fs.symlink(realExecutable(tool), path.join(dir, tool));
  }
  return dir;
}

/**
 * The machine's environment with PATH replaced: settings such as certificate bundles and
 * proxies stay (they are configuration, not tools), but nothing that points at a venv,
 * a Python path or the uv onevenv would use.
 */
export function restrictedEnv(bin: string): NodeJS.ProcessEnv {
  const env = cleanNpmEnv({ PATH: bin, LANG: 'C.UTF-8' });
  for (const name of ['VIRTUAL_ENV', 'PYTHONPATH', 'PYTHONHOME', 'ONEVENV_UV', 'CXX', 'CC']) {
    delete env[name];
  }
  return env;
}

/** Every file under `root` with the sha256 of its bytes and its mode (symlinks: target). */
export async function hashTree(
  root: string,
  exclude: string[] = ['.git'],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full).split(path.sep).join('/');
      if (exclude.includes(rel)) continue;
      if (entry.isSymbolicLink()) out[rel] = `-> ${await fs.readlink(full)}`;
      else if (entry.isDirectory()) await walk(full);
      else {
        const stat = await fs.stat(full);
        const hash = createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex');
        out[rel] = `${(stat.mode & 0o777).toString(8)} ${hash}`;
      }
    }
  }
  await walk(root);
  return out;
}

interface McpServerConfig {
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

export async function mcpServers(root: string): Promise<Record<string, McpServerConfig>> {
  const config = JSON.parse(await fs.readFile(path.join(root, '.mcp.json'), 'utf8')) as {
    mcpServers: Record<string, McpServerConfig>;
  };
  return config.mcpServers;
}

export interface McpSession {
  server: string | undefined;
  tools: string[];
  call: unknown;
}

/**
 * Starts one server of .mcp.json as a client does (its command and args from the
 * repository root, its env added), answers initialize and tools/list, and calls a tool.
 */
export async function mcpSession(
  root: string,
  config: McpServerConfig,
  env: NodeJS.ProcessEnv,
  call: { name: string; arguments: Record<string, unknown> },
): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: path.isAbsolute(config.command) ? config.command : path.join(root, config.command),
    args: config.args ?? [],
    cwd: root,
    env: { ...(env as Record<string, string>), ...config.env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'onevenv-e2e', version: '0' });
  try {
    await client.connect(transport, { timeout: 120_000 });
    const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
    const result = await client.callTool(call);
    return {
      server: client.getServerVersion()?.name,
      tools,
      call: (result as { structuredContent?: { result?: unknown } }).structuredContent?.result,
    };
  } finally {
    await client.close();
  }
}
