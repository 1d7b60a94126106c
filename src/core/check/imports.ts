import { UserError } from '../../util/errors.js';
import { CONFIG_FILE } from '../root.js';
import { probeVenv } from '../sync/probe.js';
import { probeGroups } from '../sync/sync.js';
import type { ImportFailure } from '../venv/marker.js';
import type { CheckContext } from './context.js';
import type { CheckTask, TaskOutcome } from './task.js';
import { type CheckResult, failed, passed, skipped } from './types.js';

/**
 * `import`: sync's own import validation (one Python process in the venv), reported per
 * group and module. It needs a venv that is ready for the current declaration and lock;
 * otherwise there is one failure, and the fix is `onevenv sync`.
 */

function fixFor(failure: ImportFailure): string {
  if (/is not installed$/.test(failure.error)) return 'onevenv sync';
  const missing = /^ModuleNotFoundError: No module named '([^']+)'/.exec(failure.error)?.[1];
  if (missing !== undefined && missing.split('.')[0] !== failure.module.split('.')[0]) {
    const top = missing.split('.')[0];
    return `add the package that provides '${top}' to group ${failure.group} (onevenv add <package> --group ${failure.group})`;
  }
  return `fix the import error, or name the modules group ${failure.group} should import under [tool.onevenv.imports] in ${CONFIG_FILE}`;
}

export function importChecks(
  groups: Array<{ name: string; modules: string[] }>,
  failures: ImportFailure[],
): CheckResult[] {
  const checks: CheckResult[] = [];
  const failedKeys = new Set<string>();
  for (const failure of failures) {
    const key = `${failure.group}/${failure.module}`;
    if (failedKeys.has(key)) continue;
    failedKeys.add(key);
    checks.push(
      failed(
        'import',
        `import:${key}`,
        key,
        `import ${failure.module} failed: ${failure.error}`,
        fixFor(failure),
      ),
    );
  }
  for (const group of groups) {
    for (const module of group.modules) {
      const key = `${group.name}/${module}`;
      if (failedKeys.has(key)) continue;
      failedKeys.add(key);
      checks.push(passed('import', `import:${key}`, key, `import ${module}`));
    }
  }
  return checks;
}

export const importTask: CheckTask = {
  kind: 'import',
  label: 'imports',
  async run(context: CheckContext): Promise<TaskOutcome> {
    const shown = context.venvShown;
    const status = await context.status();
    if (status.state !== 'ready') {
      return {
        checks: [
          failed(
            'import',
            'import',
            shown,
            `imports not checked: ${shown} is ${status.state} (${status.reasons.join('; ')})`,
            'onevenv sync',
          ),
        ],
      };
    }
    const groups = probeGroups(context.config);
    if (groups.length === 0) {
      return {
        checks: [skipped('import', 'import', shown, `no dependencies declared in ${CONFIG_FILE}`)],
      };
    }
    try {
      const probe = await probeVenv(context.python, groups, { env: context.options.env });
      const checks = importChecks(probe.groups ?? [], probe.failures);
      if (checks.length === 0) {
        checks.push(skipped('import', 'import', shown, 'no importable modules in any group'));
      }
      return { checks };
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      return {
        checks: [failed('import', 'import', shown, error.message, error.fix ?? 'onevenv sync')],
      };
    }
  },
};
