import path from 'node:path';
import type { SyncResult } from '../core/venv/marker.js';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../util/errors.js';
import { log, outputJson } from '../util/log.js';
import type { CommandModule, OptionValues } from './types.js';

/**
 * Only the no-op path is imported up front (node built-ins and a few small modules):
 * the config parser, the installers and the lock backends load when there is work.
 */

export function syncFlags(values: OptionValues): {
  frozen: boolean;
  locked: boolean;
  deep: boolean;
  pythonInstall: boolean | undefined;
} {
  const frozen = values.frozen === true;
  const locked = values.locked === true;
  if (frozen && locked) {
    throw new UserError('--frozen and --locked exclude each other', {
      fix: '--frozen installs the lock as it is; --locked fails when it is stale',
    });
  }
  return {
    frozen,
    locked,
    deep: values.deep === true,
    pythonInstall: values['python-install'] === true ? true : undefined,
  };
}

/** Prints the result the way `sync` does and returns the exit code. */
export function reportSync(summary: SyncResult, json: boolean, root: string): number {
  if (json) outputJson(summary);
  const shown = path.relative(root, summary.venv).split(path.sep).join('/') || '.';
  if (!summary.changed && !json) {
    log.info(
      `${shown} is up to date (Python ${summary.pythonVersion}, ${summary.packages} package${summary.packages === 1 ? '' : 's'})`,
    );
  }
  if (!summary.imports.ok) {
    for (const failure of summary.imports.failed) {
      log.error(`group ${failure.group}: import ${failure.module} failed: ${failure.error}`);
    }
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

export const command: CommandModule = {
  help: {
    usage: 'onevenv sync [--frozen | --locked] [--python-install] [--deep]',
    description: [
      'Make python/.venv exactly match the lock: the right base interpreter',
      '(requires-python, .python-version), exactly the locked packages with their hashes',
      '(anything else removed), the editables, a .pth for [tool.onevenv] paths, then one',
      'Python process imports every group. A stale lock is relocked first.',
      '',
      "With uv, the lock installs offline while uv's cache holds every artifact, and an",
      'import check that passed is not repeated for the same inputs (the lock, the',
      "interpreter, the groups, the editable projects' files): a venv deleted and built",
      'again, or a new worktree of the same commit, takes the proof from ~/.cache/onevenv',
      '($XDG_CACHE_HOME/onevenv, $ONEVENV_CACHE_DIR). onevenv check always imports.',
      '',
      'Up to date → returns at once without starting Python. Safe to run concurrently',
      '(a second sync waits for the first) and to interrupt or kill at any moment: the',
      'next sync finishes the job. Exit 1 when an import fails.',
    ].join('\n'),
    options: [
      ['--frozen', 'install the lock as it is, without checking it is current'],
      ['--locked', 'exit 1 when the lock is stale instead of relocking'],
      ['--python-install', 'let uv install a matching Python when none is found'],
      ['--deep', 'also check every installed file against its RECORD hash; rebuild if one differs'],
    ],
    examples: [
      ['onevenv sync', 'build or update python/.venv'],
      ['onevenv sync --locked --json', 'in CI: fail on a stale lock, report as JSON'],
    ],
  },
  options: {
    frozen: { type: 'boolean' },
    locked: { type: 'boolean' },
    'python-install': { type: 'boolean' },
    deep: { type: 'boolean' },
  },
  async run(context) {
    const flags = syncFlags(context.values);
    const { quickCheck } = await import('../core/venv/quick.js');
    const quick = quickCheck(context.cwd, { frozen: flags.frozen });
    if (
      !flags.deep &&
      quick.root &&
      quick.marker?.imports.ok &&
      quick.staleness?.ready &&
      !quick.leftovers
    ) {
      const { resultFromMarker } = await import('../core/venv/marker.js');
      return reportSync(resultFromMarker(quick.marker, false), context.json, quick.root);
    }
    const { syncInRepo } = await import('../core/sync/sync.js');
    const { root, result } = await syncInRepo(context.cwd, flags);
    return reportSync(result, context.json, root);
  },
};
