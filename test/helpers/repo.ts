import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.resolve(here, '../..');
export const cliPath = path.join(projectRoot, 'bin/onevenv.js');

export interface TempRepo {
  root: string;
  write(file: string, content: string): Promise<void>;
  read(file: string): Promise<string>;
  exists(file: string): Promise<boolean>;
  /** Every file under the root (not .git, not the venv) with its bytes, for before/after. */
  snapshot(options?: { exclude?: string[] }): Promise<Record<string, string>>;
  cleanup(): Promise<void>;
}

/** A throwaway repository; `git: true` makes it a real git repository with one commit. */
export async function makeRepo(
  files: Record<string, string> = {},
  options: { git?: boolean; prefix?: string; name?: string } = {},
): Promise<TempRepo> {
  const temp = await fs.realpath(
    await fs.mkdtemp(path.join(os.tmpdir(), options.prefix ?? 'onevenv-repo-')),
  );
  // `name`: the repository directory gets that exact name (some outputs show it).
  const root = options.name === undefined ? temp : path.join(temp, options.name);
  await fs.mkdir(root, { recursive: true });
  const repo: TempRepo = {
    root,
    async write(file, content) {
      const target = path.join(root, file);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, content);
    },
    read: (file) => fs.readFile(path.join(root, file), 'utf8'),
    async exists(file) {
      try {
        await fs.access(path.join(root, file));
        return true;
      } catch {
        return false;
      }
    },
    async snapshot({ exclude = ['.git'] } = {}) {
      const out: Record<string, string> = {};
      async function walk(dir: string) {
        for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          const rel = path.relative(root, full).split(path.sep).join('/');
          if (exclude.some((e) => rel === e || rel.startsWith(`${e}/`))) continue;
          if (entry.isDirectory()) await walk(full);
          else if (entry.isSymbolicLink()) out[rel] = `-> ${await fs.readlink(full)}`;
          else out[rel] = (await fs.readFile(full)).toString('base64');
        }
      }
      await walk(root);
      return out;
    },
    cleanup: () => fs.rm(temp, { recursive: true, force: true }),
  };
  for (const [file, content] of Object.entries(files)) await repo.write(file, content);
  if (options.git) {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, stdio: 'ignore', env: gitEnv() });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', 'initial');
  }
  return repo;
}

export function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 'onevenv tests',
    GIT_AUTHOR_EMAIL: 'tests@onevenv.invalid',
    GIT_COMMITTER_NAME: 'onevenv tests',
    GIT_COMMITTER_EMAIL: 'tests@onevenv.invalid',
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/) as a user would: a real process, real exit code. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {
    cwd: process.cwd(),
  },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
