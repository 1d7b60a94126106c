import { INSTALLERS, type Installer } from '../core/config.js';
import { requireRepoRoot } from '../core/root.js';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../util/errors.js';
import { getLogLevel, log, output, outputJson } from '../util/log.js';
import type { CommandModule } from './types.js';

const FORMATS = ['requirements', 'pylock'] as const;

function oneOf<T extends string>(
  option: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new UserError(`${option} ${JSON.stringify(value)} is not allowed`, {
      fix: `use one of: ${allowed.join(', ')}`,
    });
  }
  return value as T;
}

export const command: CommandModule = {
  help: {
    usage:
      'onevenv lock [--check] [--installer auto|uv|pip] [--upgrade | --upgrade-package NAME…] [--format pylock]',
    description: [
      'Resolves python/pyproject.toml — [project] dependencies, every dependency group and',
      "the editable packages' own dependencies — into python/requirements.txt: every",
      'package pinned ==, with --hash lines and a "# via" note naming the group or package',
      'that pulled it in. Plain pip installs it: pip install --require-hashes -r python/requirements.txt.',
      '',
      'uv (when on PATH) resolves once for every platform and Python the project admits;',
      "pip's resolver is the fallback and its lock holds for this platform and Python only.",
      'Existing pins are kept unless --upgrade or --upgrade-package asks otherwise. A lock',
      'whose inputs did not change is left byte-identical. With --check nothing is resolved:',
      'the exit code says whether the lock is current (0) or stale or missing (1).',
    ].join('\n'),
    options: [
      ['--check', 'exit 1 when the lock is stale or missing (no network, no Python)'],
      ['--installer <name>', 'auto (uv if on PATH, else pip), uv or pip'],
      ['--upgrade', 'ignore every existing pin'],
      ['--upgrade-package <name>', 'ignore the existing pin of one package (repeatable)'],
      ['--format pylock', 'also write PEP 751 python/pylock.toml (needs uv)'],
    ],
    examples: [
      ['onevenv lock', 'write python/requirements.txt after editing python/pyproject.toml'],
      ['onevenv lock --check', 'in CI: fail when someone changed a group without relocking'],
      ['onevenv lock --upgrade-package fastmcp', 'move one package to its newest allowed version'],
      ['onevenv lock --installer pip', 'resolve with pip for this machine only'],
    ],
  },
  options: {
    check: { type: 'boolean' },
    installer: { type: 'string' },
    upgrade: { type: 'boolean' },
    'upgrade-package': { type: 'string', multiple: true },
    format: { type: 'string' },
  },
  async run(context) {
    const installer: Installer | undefined = oneOf(
      '--installer',
      context.values.installer,
      INSTALLERS,
    );
    const format = oneOf('--format', context.values.format, FORMATS);
    const root = requireRepoRoot(context.cwd);
    const [{ loadConfig, relativeToRoot }, { lockProject }] = await Promise.all([
      import('../core/config.js'),
      import('../core/lock/lock-project.js'),
    ]);
    const config = await loadConfig(root);
    const outcome = await lockProject(config, {
      installer,
      upgrade: context.values.upgrade === true,
      upgradePackages: (context.values['upgrade-package'] as string[] | undefined) ?? [],
      format,
      check: context.values.check === true,
      onOutput: getLogLevel() === 'verbose' ? (chunk) => process.stderr.write(chunk) : undefined,
    });
    const lockName = relativeToRoot(config, outcome.lock);
    if (outcome.kind === 'check') {
      const { state, reason } = outcome.status;
      if (context.json) outputJson({ lock: lockName, state, reason });
      else if (state === 'current') log.info(`${lockName} is current`);
      else log.info(`${lockName} is ${state}: ${reason} (run 'onevenv lock')`);
      return state === 'current' ? EXIT_OK : EXIT_FINDINGS;
    }
    if (context.json) {
      outputJson({
        lock: lockName,
        installer: outcome.installer,
        changed: outcome.changed,
        packages: outcome.packages,
        ...(outcome.pylock ? { pylock: relativeToRoot(config, outcome.pylock) } : {}),
      });
      return EXIT_OK;
    }
    const count = `${outcome.packages.length} package${outcome.packages.length === 1 ? '' : 's'}`;
    log.info(
      outcome.changed
        ? `wrote ${lockName}: ${count} pinned with hashes (${outcome.installer})`
        : `${lockName} is up to date: ${count} (${outcome.installer})`,
    );
    if (outcome.pylock) {
      const pylockName = relativeToRoot(config, outcome.pylock);
      log.info(outcome.pylockChanged ? `wrote ${pylockName}` : `${pylockName} is up to date`);
    }
    if (outcome.packages.length > 0) {
      output(outcome.packages.map((p) => `${p.name}==${p.version}`).join('\n'));
    }
    return EXIT_OK;
  },
};
