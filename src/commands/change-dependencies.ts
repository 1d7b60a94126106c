import type { Change, ChangePlan } from '../core/change-dependencies.js';
import { requireRepoRoot } from '../core/root.js';
import { EXIT_OK, UserError } from '../util/errors.js';
import { log, output, outputJson } from '../util/log.js';
import type { CommandContext } from './types.js';

/** The shared body of `add` and `remove`: plan, preview or write, then sync. */

function describeChanges(plan: ChangePlan): string[] {
  return plan.edit.changes.map((change) => {
    switch (change.action) {
      case 'added':
        return `added ${change.new} to group ${change.group}`;
      case 'replaced':
        return `replaced ${change.old} with ${change.new} in group ${change.group}`;
      case 'removed':
        return `removed ${change.old} from group ${change.group}`;
      default:
        return `${change.new ?? change.name} already in group ${change.group}`;
    }
  });
}

export async function runChange(context: CommandContext, change: Change): Promise<number> {
  const root = requireRepoRoot(context.cwd);
  const { planChange, writeChange } = await import('../core/change-dependencies.js');
  const { relativeToRoot } = await import('../core/config.js');
  const plan = await planChange(root, change);
  const configFile = relativeToRoot(plan, plan.configPath);
  const lockFile = relativeToRoot(plan, plan.lockPath);
  const dryRun = context.values['dry-run'] === true;
  const noSync = context.values['no-sync'] === true;
  const report = {
    pyproject: configFile,
    lock: lockFile,
    changes: plan.edit.changes,
    pyprojectChanged: plan.after !== plan.before,
    lockChanged: plan.lockAfter !== plan.lockBefore,
    installer: plan.installer,
    packages: plan.packages,
    written: false,
    synced: false,
  };
  if (dryRun) {
    const { unifiedDiff } = await import('../util/diff.js');
    if (context.json) {
      outputJson(report);
    } else {
      const diff = [
        unifiedDiff(configFile, plan.before, plan.after),
        unifiedDiff(lockFile, plan.lockBefore, plan.lockAfter),
      ].filter(Boolean);
      if (diff.length > 0) output(diff.join(''));
      for (const line of describeChanges(plan)) log.info(`would have ${line}`);
      log.info('dry run: nothing was written');
    }
    return EXIT_OK;
  }
  await writeChange(plan);
  report.written = true;
  for (const line of describeChanges(plan)) log.info(line);
  log.info(
    `locked ${plan.packages.length} package${plan.packages.length === 1 ? '' : 's'} into ${lockFile} (${plan.installer})`,
  );
  let code = EXIT_OK;
  if (!noSync) {
    const { syncEnvironment } = await import('../core/sync/sync.js');
    const { reportSync } = await import('./sync.js');
    try {
      const result = await syncEnvironment(plan.config);
      report.synced = true;
      code = reportSync(result, false, root);
      if (code !== EXIT_OK) {
        log.info(
          `${configFile} and ${lockFile} are updated and agree; fix the failure above, then run 'onevenv sync' to retry`,
        );
      }
    } catch (error) {
      if (error instanceof UserError) {
        throw new UserError(
          `${error.message}; ${configFile} and ${lockFile} are updated and agree`,
          {
            location: error.location,
            fix: "fix the cause, then run 'onevenv sync' to retry",
            exitCode: error.exitCode,
          },
        );
      }
      throw error;
    }
  }
  if (context.json) outputJson(report);
  return code;
}

export const changeOptions = {
  'dry-run': { type: 'boolean' },
  'no-sync': { type: 'boolean' },
} as const;
