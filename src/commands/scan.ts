import { requireRepoRoot } from '../core/root.js';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../util/errors.js';
import { log, output, outputJson } from '../util/log.js';
import type { CommandModule } from './types.js';

const FORMATS = ['human', 'json', 'mermaid'] as const;
type Format = (typeof FORMATS)[number];

function chooseFormat(value: unknown, json: boolean): Format {
  if (value === undefined) return json ? 'json' : 'human';
  if (!FORMATS.includes(value as Format)) {
    throw new UserError(`--format ${JSON.stringify(value)} is not a format scan knows`, {
      fix: `use one of: ${FORMATS.join(', ')}`,
    });
  }
  if (json && value !== 'json') {
    throw new UserError(`--json and --format ${value} ask for two different outputs`, {
      fix: 'give only one of them',
    });
  }
  return value as Format;
}

export const command: CommandModule = {
  help: {
    usage: 'onevenv scan [--check] [--json | --format human|json|mermaid]',
    description: [
      'Lists every place that names a Python interpreter or environment (CMake, presets,',
      'MCP configs, shell scripts, VS Code, devcontainers, GitHub workflows, Makefiles,',
      '.gitignore, dependency files, docs), grouped by environment and consumer, and',
      'whether each already uses the unified venv (python/.venv unless [tool.onevenv]',
      'venv says otherwise). Reads only: nothing is written.',
      '',
      'With --check, exits 1 when any reference is off the unified venv. Documentation',
      'mentions and interpreters on other hosts (skip reasons documentation and',
      'external-interpreter) are listed but do not fail the check.',
    ].join('\n'),
    options: [
      ['--check', 'exit 1 when anything is off the unified venv (a CI lint)'],
      ['--format <format>', 'human (default), json, or mermaid (consumers → environments)'],
    ],
    examples: [
      ['onevenv scan', 'see how many environments the repository uses, and where'],
      ['onevenv scan --check', 'in CI: fail when a consumer drifts off the unified venv'],
      ['onevenv scan --format mermaid', 'a diagram to paste into a pull request'],
    ],
  },
  options: {
    check: { type: 'boolean' },
    format: { type: 'string' },
  },
  async run(context) {
    const format = chooseFormat(context.values.format, context.json);
    const root = requireRepoRoot(context.cwd);
    const [{ scanRepository }, formats, { failsCheck }] = await Promise.all([
      import('../core/scan/scan.js'),
      import('../core/scan/format.js'),
      import('../core/scan/model.js'),
    ]);
    const started = performance.now();
    const result = await scanRepository(root);
    log.debug(
      `scan: ${result.filesListed} files listed (${result.discovery}), ${result.filesRead} read, ` +
        `${result.skipped.length} skipped, ${Math.round(performance.now() - started)} ms`,
    );
    for (const skipped of result.skipped) log.debug(`skipped ${skipped.file}: ${skipped.reason}`);
    if (format === 'json') outputJson(formats.toScanJson(result));
    else if (format === 'mermaid') output(formats.formatMermaid(result));
    else output(formats.formatHuman(result));
    if (context.values.check === true && result.references.some(failsCheck)) return EXIT_FINDINGS;
    return EXIT_OK;
  },
};
