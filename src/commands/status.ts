import { EXIT_FINDINGS, EXIT_OK } from '../util/errors.js';
import { output, outputJson } from '../util/log.js';
import type { CommandModule } from './types.js';

export const command: CommandModule = {
  help: {
    usage: 'onevenv status [--deep]',
    description: [
      'Say whether python/.venv is ready for the current declaration, lock and',
      'interpreter, stale (and why), or missing. Reads only: changes nothing, starts no',
      'Python. Exit 0 when ready, 1 when stale, missing or an import failed.',
    ].join('\n'),
    options: [
      ['--deep', 'also check every installed file against its RECORD hash (starts Python)'],
    ],
    examples: [
      ['onevenv status', 'ready, stale or missing, and why'],
      ['onevenv status --json', 'the same as JSON'],
    ],
  },
  options: { deep: { type: 'boolean' } },
  async run(context) {
    const { requireRepoRoot } = await import('../core/root.js');
    const { loadConfig, relativeToRoot } = await import('../core/config.js');
    const { environmentStatus } = await import('../core/sync/status.js');
    const { canonicalRoot } = await import('../core/venv/quick.js');
    const config = await loadConfig(canonicalRoot(requireRepoRoot(context.cwd)));
    const status = await environmentStatus(config, { deep: context.values.deep === true });
    if (context.json) {
      outputJson(status);
    } else {
      const details: string[] = [];
      if (status.pythonVersion) details.push(`Python ${status.pythonVersion}`);
      if (status.packages !== null) {
        details.push(`${status.packages} package${status.packages === 1 ? '' : 's'}`);
      }
      if (status.installer) details.push(status.installer);
      const lines = [
        `${relativeToRoot(config, status.venv)}: ${status.state}${details.length > 0 ? ` (${details.join(', ')})` : ''}`,
        ...status.reasons.map((reason) => `  - ${reason}`),
      ];
      if (status.imports && !status.imports.ok) {
        for (const failure of status.imports.failed) {
          lines.push(
            `  ! group ${failure.group}: import ${failure.module} failed: ${failure.error}`,
          );
        }
      }
      lines.push(`lock: ${status.lock.state} (${status.lock.reason})`);
      output(lines.join('\n'));
    }
    return status.state === 'ready' && status.imports?.ok !== false ? EXIT_OK : EXIT_FINDINGS;
  },
};
