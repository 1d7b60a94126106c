import { UserError } from '../../util/errors.js';
import { checkInterrupted } from '../../util/exec.js';
import type { OnevenvConfig } from '../config.js';
import { drainQueue } from '../scan/pool.js';
import { CheckContext, type CheckOptions } from './context.js';
import type { CheckTask } from './task.js';
import {
  CHECK_KINDS,
  type CheckKind,
  type CheckReport,
  type CheckResult,
  compareChecks,
  failed,
} from './types.js';

/**
 * Runs the checks of the kinds asked for. Independent work runs in parallel (a few MCP
 * servers start while the imports are probed and the build directories read); the result
 * is sorted, so the report does not depend on which finished first.
 */

export interface CheckHooks {
  onStart?: (task: CheckTask) => void;
  onFinish?: (task: CheckTask, checks: CheckResult[]) => void;
}

/** Most tasks wait on child processes; a few more than the cores keeps both busy. */
const CONCURRENCY = 4;

async function rootTask(kind: CheckKind): Promise<CheckTask> {
  switch (kind) {
    case 'import':
      return (await import('./imports.js')).importTask;
    case 'mcp':
      return (await import('./mcp.js')).mcpTask;
    case 'cmake':
      return (await import('./cmake.js')).cmakeTask;
    case 'abi':
      return (await import('./abi.js')).abiTask;
    case 'lock':
      return (await import('./freshness.js')).lockTask;
    case 'generated':
      return (await import('./freshness.js')).generatedTask;
    case 'gitignore':
      return (await import('./freshness.js')).gitignoreTask;
    case 'stray-venv':
      return (await import('./freshness.js')).strayVenvTask;
    case 'worktree':
      return (await import('./freshness.js')).worktreeTask;
  }
}

export async function runChecks(
  config: OnevenvConfig,
  options: CheckOptions,
  hooks: CheckHooks = {},
): Promise<CheckReport> {
  const context = new CheckContext(config, options);
  const kinds = CHECK_KINDS.filter((kind) => options.only.size === 0 || options.only.has(kind));
  const tasks = await Promise.all(kinds.map(rootTask));
  const checks: CheckResult[] = [];
  try {
    await drainQueue(tasks, CONCURRENCY, async (task, push) => {
      checkInterrupted();
      hooks.onStart?.(task);
      let produced: CheckResult[];
      try {
        const outcome = await task.run(context);
        produced = outcome.checks;
        for (const next of outcome.tasks ?? []) push(next);
      } catch (error) {
        // A problem the user can fix (an unreadable file, a tool that is missing) fails
        // this task's checks only; anything else is a bug and stops the run.
        if (!(error instanceof UserError)) throw error;
        produced = [
          failed(task.kind, task.kind, task.label, error.message, error.fix ?? 'see the message'),
        ];
      }
      checks.push(...produced);
      hooks.onFinish?.(task, produced);
    });
  } finally {
    for (const cleanup of context.cleanups) await cleanup().catch(() => {});
  }
  checks.sort(compareChecks);
  return { ok: checks.every((check) => check.ok), checks };
}
