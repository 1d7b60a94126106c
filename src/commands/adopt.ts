import { requireRepoRoot } from '../core/root.js';
import { EXIT_FINDINGS, EXIT_OK } from '../util/errors.js';
import { getLogLevel, log, output, outputJson } from '../util/log.js';
import type { CommandModule } from './types.js';

export const command: CommandModule = {
  help: {
    usage: 'onevenv adopt [--write] [--docs] [--json]',
    description: [
      'Moves the repository onto one venv (python/.venv). From what scan finds it plans',
      'python/pyproject.toml (requires-python, one dependency group per context, editable',
      'local packages, build-directory paths), python/README.md and python/setup.sh, and',
      'rewrites every consumer it has a rewriter for, each rewrite proved by detecting the',
      'file again. Prints the unified diff of every file and writes nothing.',
      '',
      'With --write: every file is read again first, and if any changed since the plan',
      'nothing is written (exit 1, naming it). Otherwise the files are written atomically,',
      'keeping line endings, BOM, final newline and mode; python/requirements.txt is',
      'resolved (when that fails, everything else stays written and the command to run is',
      'printed); and a new scan proves nothing is left off the venv beyond what was',
      'reported. Running it again changes nothing. Old venvs are listed, never deleted.',
    ].join('\n'),
    options: [
      ['--write', 'apply the plan (default: print the diff only)'],
      ['--docs', 'rewrite documentation too (default: report it with suggested text)'],
    ],
    examples: [
      ['onevenv adopt', 'review the diff'],
      ['onevenv adopt --write', 'apply it, then run python/setup.sh'],
      ['onevenv adopt --json', 'the plan as data: files, references handled and left, conflicts'],
    ],
  },
  options: {
    write: { type: 'boolean' },
    docs: { type: 'boolean' },
  },
  async run(context) {
    const root = requireRepoRoot(context.cwd);
    const [{ planAdoption }, { applyPlan }, format] = await Promise.all([
      import('../core/adopt/plan.js'),
      import('../core/adopt/apply.js'),
      import('../core/adopt/format.js'),
    ]);
    log.step('scanning and planning');
    const { plan } = await planAdoption(root, { docs: context.values.docs === true });
    if (context.values.write !== true) {
      if (context.json) outputJson(format.toPlanJson(plan));
      else output(`${format.planDiff(plan)}${format.formatSummary(plan)}`);
      return EXIT_OK;
    }
    log.step(`writing ${plan.files.length} file${plan.files.length === 1 ? '' : 's'}`);
    const outcome = await applyPlan(plan, {
      onLockOutput:
        getLogLevel() === 'verbose' ? (chunk) => process.stderr.write(chunk) : undefined,
    });
    if (context.json) outputJson(format.toPlanJson(plan, outcome));
    else output(`${format.planDiff(plan)}${format.formatSummary(plan, outcome)}`);
    const failed =
      outcome.refused.length > 0 ||
      outcome.lock?.status === 'failed' ||
      outcome.proofFailures.length > 0;
    return failed ? EXIT_FINDINGS : EXIT_OK;
  },
};
