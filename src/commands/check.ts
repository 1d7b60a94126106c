// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the help text shows MCP variables as clients spell them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../util/errors.js';
import { getLogLevel, output, outputJson } from '../util/log.js';
import type { CommandModule, OptionValues } from './types.js';

const KINDS = 'import, mcp, cmake, abi, lock, generated, gitignore, stray-venv, worktree';

export const command: CommandModule = {
  help: {
    usage:
      'onevenv check [--only KIND,...] [--timeout SECONDS] [--network] [--build-dir DIR]... [--configure]',
    description: [
      'Prove every consumer works with the one venv. Exit 0 when every check passes, 1 when',
      'any fails (each failure says what broke and the fix), 2 on bad input.',
      '',
      'Kinds:',
      "  import      every group imports its modules in the venv (sync's own probe);",
      '              a missing or stale venv is one failure: onevenv sync',
      '  mcp         every stdio server of .mcp.json, .cursor/mcp.json, .vscode/mcp.json and',
      '              other *mcp*.json files starts from its directory with its args and env',
      '              (${VAR}, ${VAR:-default}, ${workspaceFolder} expanded as its client does)',
      '              and answers initialize and tools/list within the timeout; it is stopped',
      '              afterwards with everything it started. Remote servers: --network',
      '  cmake       every Python reference in the listfiles and presets is on the venv;',
      '              in each build directory (presets binaryDir, build/, build/*, --build-dir)',
      "              or a fresh one (--configure, Ninja), every custom target's commands",
      "              (ninja -t commands) run the venv's interpreter, and the cache's",
      '              Python3_EXECUTABLE / Python_EXECUTABLE / PYTHON_EXECUTABLE name it',
      '  abi         every native extension module under [tool.onevenv] paths and in the',
      "              build directories carries the venv's ABI tag (EXT_SUFFIX)",
      '  lock        python/requirements.txt is current for python/pyproject.toml',
      '  generated   python/setup.sh and python/README.md are what onevenv generates now',
      '  gitignore   the venv and the files sync keeps beside it (python/.venv.*) are ignored',
      '  stray-venv  no other venv is used by a consumer or left on disk',
      "  worktree    this worktree's venv exists and is ready",
      '',
      'JSON (--json), sorted by kind in the order above, then by id:',
      '  {"ok": false, "checks": [',
      '    {"id": "mcp:.mcp.json#docs", "kind": "mcp", "target": "docs (.mcp.json)",',
      '     "ok": false, "detail": "docs exited before answering initialize: ...",',
      '     "fix": "add the package that provides ..."}, ...]}',
      '  id      stable across runs: <kind> or <kind>:<what> (a file, group/module, server)',
      '  target  what was checked; detail: what was seen (may span lines)',
      '  fix     present on failures only',
      '  skipped true when the check was listed but not run (a remote server without',
      '          --network, no build directory); such a check counts as ok',
      '  warning true when it passed with a caveat (an untagged extension module)',
    ].join('\n'),
    options: [
      ['--only KIND,...', `run only these kinds (${KINDS})`],
      ['--timeout SECONDS', 'per MCP server: start, initialize and tools/list (default 30)'],
      ['--network', 'connect to remote (sse/http) MCP servers too'],
      ['--build-dir DIR', 'read this CMake build directory (repeatable) instead of looking'],
      ['--configure', 'check a fresh configuration (a temporary Ninja build) instead'],
    ],
    examples: [
      ['onevenv check', 'every check; exit 1 when any fails'],
      ['onevenv check --only mcp --timeout 10', 'start each MCP server, 10 s each'],
      ['onevenv check --only cmake,abi --configure', 'read a fresh configuration of the build'],
      ['onevenv check --json', 'the report as JSON for CI'],
    ],
  },
  options: {
    only: { type: 'string', multiple: true },
    timeout: { type: 'string' },
    network: { type: 'boolean' },
    'build-dir': { type: 'string', multiple: true },
    configure: { type: 'boolean' },
  },
  async run(context) {
    const { isCheckKind } = await import('../core/check/types.js');
    const only = parseOnly(context.values, isCheckKind);
    const timeoutMs = parseTimeout(context.values.timeout);
    const { requireRepoRoot } = await import('../core/root.js');
    const { loadConfig } = await import('../core/config.js');
    const root = requireRepoRoot(context.cwd);
    const buildDirs = parseBuildDirs(context.values['build-dir'], context.cwd);
    const config = await loadConfig(root);
    const { runChecks } = await import('../core/check/run.js');
    const { createProgress } = await import('../core/check/progress.js');
    const progress = getLogLevel() === 'quiet' ? undefined : createProgress();
    let report: Awaited<ReturnType<typeof runChecks>>;
    try {
      report = await runChecks(
        config,
        {
          only,
          timeoutMs,
          network: context.values.network === true,
          buildDirs,
          configure: context.values.configure === true,
          env: process.env,
        },
        progress ?? {},
      );
    } finally {
      progress?.stop();
    }
    if (context.json) {
      outputJson(report);
    } else {
      const { formatReport } = await import('../core/check/format.js');
      output(formatReport(report));
    }
    return report.ok ? EXIT_OK : EXIT_FINDINGS;
  },
};

function parseOnly<K extends string>(
  values: OptionValues,
  isKind: (value: string) => value is K,
): Set<K> {
  const raw = values.only;
  const list = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  const kinds = new Set<K>();
  for (const value of list) {
    if (!isKind(value)) {
      throw new UserError(`--only: unknown check kind '${value}'`, { fix: `one of: ${KINDS}` });
    }
    kinds.add(value);
  }
  return kinds;
}

function parseTimeout(value: OptionValues[string]): number {
  if (value === undefined) return 30_000;
  const seconds = typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UserError(`--timeout: expected a number of seconds, got '${String(value)}'`, {
      fix: 'e.g. --timeout 30',
    });
  }
  return Math.round(seconds * 1000);
}

function parseBuildDirs(value: OptionValues[string], cwd: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [String(value)];
  return list.map((dir) => {
    const absolute = path.resolve(cwd, dir);
    if (!existsSync(path.join(absolute, 'CMakeCache.txt'))) {
      throw new UserError(`--build-dir ${dir}: no CMakeCache.txt there`, {
        fix: `configure it first (cmake -S . -B ${dir} -G Ninja), or use --configure`,
      });
    }
    return absolute;
  });
}
