import path from 'node:path';
import { requireRepoRoot } from '../core/root.js';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../util/errors.js';
import { log, outputJson } from '../util/log.js';
import type { CommandModule } from './types.js';

const ACTIONS = ['install', 'uninstall'] as const;

export const command: CommandModule = {
  help: {
    usage: 'onevenv hook install | uninstall',
    description: [
      'install: writes a git post-checkout hook (shared by every worktree; core.hooksPath',
      'is honoured). When git checks out a new worktree, or switches to a commit whose',
      'python/requirements.txt, python/pyproject.toml or python/setup.sh differ, the hook',
      'runs python/setup.sh, which needs only python3. A post-checkout hook already there',
      'is kept and runs first. Installing again updates the hook in place.',
      '',
      'uninstall: removes the hook and puts back the one it was chained to.',
      '',
      'Set ONEVENV_HOOK=0 to skip the hook for one git command.',
    ].join('\n'),
    examples: [
      ['onevenv hook install', 'new worktrees get python/.venv without a manual step'],
      ['git worktree add ../feature', 'then the hook builds ../feature/python/.venv'],
    ],
  },
  allowPositionals: true,
  async run(context) {
    const [action, ...rest] = context.positionals;
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number]) || rest.length > 0) {
      throw new UserError(
        action === undefined
          ? 'hook needs an action'
          : `'${context.positionals.join(' ')}' is not a hook action`,
        { fix: 'use onevenv hook install, or onevenv hook uninstall' },
      );
    }
    const root = requireRepoRoot(context.cwd);
    const { installHook, uninstallHook } = await import('../core/hook/install.js');
    const result = action === 'install' ? await installHook(root) : await uninstallHook(root);
    if (context.json) {
      outputJson({
        action: result.action,
        hook: result.hook,
        chained: result.chained ?? null,
      });
    }
    const shown = (file: string) => path.relative(root, file).split(path.sep).join('/');
    const hook = shown(result.hook);
    const chained = result.chained ? shown(result.chained) : undefined;
    switch (result.action) {
      case 'installed':
        log.info(
          `installed ${hook}${chained ? ` (the hook that was there runs first, as ${chained})` : ''}`,
        );
        break;
      case 'updated':
        log.info(`updated ${hook}`);
        break;
      case 'unchanged':
        log.info(`${hook} is installed and current`);
        break;
      case 'removed':
        log.info(`removed ${hook}${chained ? ` (put back the hook it ran first)` : ''}`);
        break;
      case 'absent':
        log.info(`no post-checkout hook at ${hook}: nothing to remove`);
        break;
      case 'foreign':
        log.error(`${hook} is not onevenv's hook: left alone`);
        return EXIT_FINDINGS;
    }
    if (action === 'install' && !result.configured) {
      log.warn(
        'python/pyproject.toml does not exist yet: the hook does nothing until python/setup.sh does (run onevenv adopt)',
      );
    }
    return EXIT_OK;
  },
};
