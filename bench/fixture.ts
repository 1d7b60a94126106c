import { execFileSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyExample, EXAMPLE_NAME } from '../src/core/demo/example.js';

/**
 * What the scenarios run on: a private build of the CLI (so a rebuild of dist/ while the
 * benchmark runs cannot change the code under measurement) and the bundled example,
 * adopted by onevenv (python/pyproject.toml, the lock resolved against PyPI once,
 * python/setup.sh), with a third MCP server, committed to git, and one checkout per tool
 * so each keeps its own python/.venv.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.resolve(here, '..');

/**
 * Every command runs without the caller's venv or Python path, without colour, and with
 * Python writing bytecode as it does on a developer's machine (the session environment
 * this benchmark was developed in sets PYTHONDONTWRITEBYTECODE).
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@onevenv.invalid',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@onevenv.invalid',
  };
  for (const name of [
    'VIRTUAL_ENV',
    'PYTHONPATH',
    'PYTHONHOME',
    'CONDA_PREFIX',
    'FORCE_COLOR',
    'PYTHONDONTWRITEBYTECODE',
  ]) {
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

/**
 * Compiles the CLI into `dir`/dist and lays out a package beside it; returns
 * bin/onevenv.js and the commit it was built from. By default the sources are the
 * committed HEAD (git archive), so results describe a commit and not whatever is being
 * edited in the working tree; `fromWorktree` compiles the working tree instead.
 */
export async function buildCli(
  dir: string,
  options: { fromWorktree?: boolean } = {},
): Promise<{ cli: string; source: string }> {
  await fs.rm(dir, { recursive: true, force: true });
  const sources = path.join(dir, 'sources');
  await fs.mkdir(sources, { recursive: true });
  const commit = run('git', ['rev-parse', '--short', 'HEAD'], projectRoot).trim();
  let source = `commit ${commit}`;
  if (options.fromWorktree) {
    source = `working tree at ${commit}`;
    await fs.cp(path.join(projectRoot, 'src'), path.join(sources, 'src'), { recursive: true });
    for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'bin/onevenv.js']) {
      await fs.mkdir(path.dirname(path.join(sources, file)), { recursive: true });
      await fs.copyFile(path.join(projectRoot, file), path.join(sources, file));
    }
  } else {
    const archive = execFileSync(
      'git',
      [
        'archive',
        'HEAD',
        'src',
        'bin',
        'examples',
        'tsconfig.json',
        'tsconfig.build.json',
        'package.json',
      ],
      { cwd: projectRoot, maxBuffer: 256 * 1024 * 1024 },
    );
    execFileSync('tar', ['-x', '-C', sources], { input: archive });
  }
  await fs.symlink(path.join(projectRoot, 'node_modules'), path.join(sources, 'node_modules'));
  try {
    execFileSync(
      process.execPath,
      [
        path.join(projectRoot, 'node_modules/typescript/bin/tsc'),
        '-p',
        path.join(sources, 'tsconfig.build.json'),
        '--outDir',
        path.join(dir, 'dist'),
      ],
      { cwd: sources, stdio: 'pipe' },
    );
  } catch (error) {
    // tsc emits even with type errors; a missing entry point is what matters.
    try {
      await fs.access(path.join(dir, 'dist/cli.js'));
    } catch {
      throw error;
    }
  }
  await fs.mkdir(path.join(dir, 'bin'));
  await fs.copyFile(path.join(sources, 'bin/onevenv.js'), path.join(dir, 'bin/onevenv.js'));
  await fs.copyFile(path.join(sources, 'package.json'), path.join(dir, 'package.json'));
  await fs.symlink(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'));
  const examples = options.fromWorktree ? projectRoot : sources;
  await fs.symlink(path.join(examples, 'examples'), path.join(dir, 'examples'));
  return { cli: path.join(dir, 'bin/onevenv.js'), source };
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
  // The example of the build being measured (bin/onevenv.js sits beside examples/).
  await copyExample(path.join(path.dirname(path.dirname(cli)), 'examples', EXAMPLE_NAME), origin);
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
