import { UserError } from '../util/errors.js';
import { changeOptions, runChange } from './change-dependencies.js';
import type { CommandModule } from './types.js';

export const command: CommandModule = {
  help: {
    usage: 'onevenv add PKG[SPEC]… --group GROUP [--dry-run] [--no-sync]',
    description: [
      'Adds requirements to a PEP 735 dependency group in python/pyproject.toml (the',
      'group is created when missing; a package already in the group gets the new',
      'specifier), relocks and syncs. The file keeps its formatting and comments.',
      '',
      'The new lock is resolved before anything is written: when resolution fails',
      '(unknown package, conflict), python/pyproject.toml and the lock stay byte for',
      'byte as they were, and the resolver says why (exit 2).',
    ].join('\n'),
    options: [
      ['-g, --group <name>', 'the dependency group (required)'],
      ['--dry-run', 'print the diff of python/pyproject.toml and the lock; write nothing'],
      ['--no-sync', 'edit and relock only'],
    ],
    examples: [
      ['onevenv add fastmcp --group mcp', 'a new dependency for the MCP servers'],
      ['onevenv add "pytest>=8" httpx -g test', 'several at once'],
      ['onevenv add "fastapi==0.115.*" -g replay --dry-run', 'preview the change'],
    ],
  },
  options: { group: { type: 'string', short: 'g' }, ...changeOptions },
  allowPositionals: true,
  async run(context) {
    const group = context.values.group;
    if (typeof group !== 'string' || group.trim() === '') {
      throw new UserError('onevenv add needs --group', {
        fix: 'name the context the dependency is for, e.g. --group mcp',
      });
    }
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(group)) {
      throw new UserError(`--group ${JSON.stringify(group)} is not a valid group name`, {
        fix: 'use letters, digits, "-", "_" or "." (PEP 735)',
      });
    }
    if (context.positionals.length === 0) {
      throw new UserError('onevenv add needs at least one requirement', {
        fix: 'e.g. onevenv add "fastapi>=0.110" --group replay',
      });
    }
    return runChange(context, { kind: 'add', group, requirements: context.positionals });
  },
};
