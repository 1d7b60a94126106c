import { execFileSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyExample, exampleDir } from '../src/core/demo/example.js';

/**
 * What the scenarios run on: a private build of the CLI (so a rebuild of dist/ while the
 * benchmark runs cannot change the code under measurement) and the bundled example,
 * adopted by onevenv (python/pyproject.toml, the lock resolved against PyPI once,
 * python/setup.sh), with a third MCP server, committed to git, and one checkout per tool
 * so each keeps its own python/.venv.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.resolve(here, '..');

/** Every command runs without the caller's venv or Python path, without colour. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@onevenv.invalid',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@onevenv.invalid',
  };
  for (const name of ['VIRTUAL_ENV', 'PYTHONPATH', 'PYTHONHOME', 'CONDA_PREFIX', 'FORCE_COLOR']) {
    delete env[name];
  }
  return env;
}

export function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Compiles src/ into `dir`/dist and lays out a package beside it; returns bin/onevenv.js. */
export async function buildCli(dir: string): Promise<string> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(path.join(dir, 'bin'), { recursive: true });
  try {
    execFileSync(
      process.execPath,
      [
        path.join(projectRoot, 'node_modules/typescript/bin/tsc'),
        '-p',
        path.join(projectRoot, 'tsconfig.build.json'),
        '--outDir',
        path.join(dir, 'dist'),
      ],
      { cwd: projectRoot, stdio: 'pipe' },
    );
  } catch (error) {
    // tsc emits even with type errors; a missing entry point is what matters.
    try {
      await fs.access(path.join(dir, 'dist/cli.js'));
    } catch {
      throw error;
    }
  }
  await fs.copyFile(path.join(projectRoot, 'bin/onevenv.js'), path.join(dir, 'bin/onevenv.js'));
  await fs.copyFile(path.join(projectRoot, 'package.json'), path.join(dir, 'package.json'));
  await fs.symlink(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'));
  await fs.symlink(path.join(projectRoot, 'examples'), path.join(dir, 'examples'));
  return path.join(dir, 'bin/onevenv.js');
}

/** A third server beside the example's two, as a repository grows them. */
const DOCS_SERVER = `"""MCP server: search the repository's Markdown documentation."""

from pathlib import Path

from fastmcp import FastMCP

ROOT = Path(__file__).resolve().parents[2]

mcp = FastMCP("docs")


@mcp.tool
def search_docs(text: str) -> list[dict]:
    """Markdown files under docs/ that mention the text, with the first matching line."""
    hits = []
    for file in sorted((ROOT / "docs").rglob("*.md")):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if text.lower() in line.lower():
                hits.append({"file": str(file.relative_to(ROOT)), "line": number, "text": line})
                break
    return hits


if __name__ == "__main__":
    mcp.run()
`;

export interface Fixture {
  /** The adopted example: onevenv's checkout. */
  origin: string;
  /** Checkouts of the same commit for the tools compared (each with its own venv). */
  uvCheckout: string;
  ticketCheckout: string;
  /** Where P3 adds (and removes) its worktree. */
  worktree: string;
  cli: string;
  /** The base interpreter onevenv chose (uv venv gets the same one). */
  basePython: string;
  lockPackages: number;
  mcpServers: string[];
}

function git(cwd: string, args: string[]): string {
  return run('git', ['-c', 'commit.gpgsign=false', ...args], cwd);
}

export async function createFixture(work: string, cli: string): Promise<Fixture> {
  const origin = path.join(work, 'telemetry-sim');
  await fs.rm(work, { recursive: true, force: true });
  await fs.mkdir(origin, { recursive: true });
  await copyExample(exampleDir(), origin);
  git(origin, ['init', '-q', '-b', 'main']);
  git(origin, ['add', '.']);
  git(origin, ['commit', '-q', '-m', 'telemetry-sim as bundled']);

  // adopt --write resolves the lock against PyPI: the one network resolution.
  run(process.execPath, [cli, 'adopt', '--write', '-q'], origin);

  await fs.writeFile(path.join(origin, 'scripts/mcp/docs_server.py'), DOCS_SERVER);
  const mcpFile = path.join(origin, '.mcp.json');
  const mcp = JSON.parse(await fs.readFile(mcpFile, 'utf8')) as {
    mcpServers: Record<string, unknown>;
  };
  mcp.mcpServers.docs = {
    command: 'python/.venv/bin/python3',
    args: ['scripts/mcp/docs_server.py'],
  };
  await fs.writeFile(mcpFile, `${JSON.stringify(mcp, null, 2)}\n`);
  git(origin, ['add', '.']);
  git(origin, ['commit', '-q', '-m', 'onevenv adopt --write; a docs MCP server']);

  const uvCheckout = path.join(work, 'checkout-uv');
  const ticketCheckout = path.join(work, 'checkout-ticket');
  git(origin, ['worktree', 'add', '-q', '--detach', uvCheckout]);
  git(origin, ['worktree', 'add', '-q', '--detach', ticketCheckout]);

  run(process.execPath, [cli, 'sync', '-q'], origin);
  const state = JSON.parse(
    readFileSync(path.join(origin, 'python/.venv/.onevenv-state.json'), 'utf8'),
  ) as { python: { base: string }; packages: number };
  const lock = readFileSync(path.join(origin, 'python/requirements.txt'), 'utf8');
  return {
    origin,
    uvCheckout,
    ticketCheckout,
    worktree: path.join(work, 'worktree-new'),
    cli,
    basePython: state.python.base,
    lockPackages: lock.split('\n').filter((line) => /^[A-Za-z0-9]/.test(line)).length,
    mcpServers: Object.keys(mcp.mcpServers),
  };
}
