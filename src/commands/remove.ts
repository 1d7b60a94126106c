import { UserError } from '../util/errors.js';
import { changeOptions, runChange } from './change-dependencies.js';
import type { CommandModule } from './types.js';

export const command: CommandModule = {
  help: {
    usage: 'onevenv remove PKG… [--group GROUP] [--dry-run] [--no-sync]',
    description: [
      'Removes packages (whatever their specifier) from one dependency group, or from',
      'every group when --group is not given, then relocks and syncs (the package leaves',
      'the venv unless another group still needs it). Says which groups it was removed',
      'from; a package in no group is an error and nothing changes.',
    ].join('\n'),
    options: [
      ['-g, --group <name>', 'only this dependency group'],
      ['--dry-run', 'print the diff of python/pyproject.toml and the lock; write nothing'],
      ['--no-sync', 'edit and relock only'],
    ],
    examples: [
      ['onevenv remove httpx', 'from every group'],
      ['onevenv remove pytest --group replay', 'from one group only'],
    ],
  },
  options: { group: { type: 'string', short: 'g' }, ...changeOptions },
  allowPositionals: true,
  async run(context) {
    if (context.positionals.length === 0) {
      throw new UserError('onevenv remove needs at least one package name', {
        fix: 'e.g. onevenv remove httpx',
      });
    }
    const group = typeof context.values.group === 'string' ? context.values.group : undefined;
    return runChange(context, { kind: 'remove', group, names: context.positionals });
  },
};
