import type { CommandModule } from './types.js';

/**
 * Names and one-line summaries only: `onevenv --help` must not load any command's code,
 * and each command loads just its own modules.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

export const commands: CommandEntry[] = [
  {
    name: 'scan',
    summary: 'List every Python interpreter and venv reference, grouped by consumer',
    load: async () => (await import('./scan.js')).command,
  },
  {
    name: 'adopt',
    summary: 'Move every consumer onto the one venv (prints a diff; --write applies it)',
    load: async () => (await import('./adopt.js')).command,
  },
  {
    name: 'lock',
    summary: 'Resolve python/pyproject.toml into the hashed python/requirements.txt',
    load: async () => (await import('./lock.js')).command,
  },
  {
    name: 'sync',
    summary: 'Make python/.venv exactly match the lock',
    load: async () => (await import('./sync.js')).command,
  },
  {
    name: 'status',
    summary: 'Say whether the venv is ready, stale or missing, and why',
    load: async () => (await import('./status.js')).command,
  },
  {
    name: 'check',
    summary: 'Prove every consumer works with the venv (imports, MCP, CMake, ABI)',
    load: async () => (await import('./check.js')).command,
  },
  {
    name: 'run',
    summary: 'Run a command inside the environment, syncing first if stale',
    load: async () => (await import('./run.js')).command,
  },
  {
    name: 'which',
    summary: "Print the venv's interpreter path",
    load: async () => (await import('./which.js')).command,
  },
  {
    name: 'add',
    summary: 'Add requirements to a dependency group, relock and sync',
    load: async () => (await import('./add.js')).command,
  },
  {
    name: 'remove',
    summary: 'Remove requirements from dependency groups, relock and sync',
    load: async () => (await import('./remove.js')).command,
  },
  {
    name: 'hook',
    summary: 'Install a git post-checkout hook so new worktrees get their venv',
    load: async () => (await import('./hook.js')).command,
  },
  {
    name: 'demo',
    summary: 'Run scan → adopt → sync → check on the bundled example repository',
    load: async () => (await import('./demo.js')).command,
  },
];

export function findCommand(name: string): CommandEntry | undefined {
  return commands.find((entry) => entry.name === name);
}
