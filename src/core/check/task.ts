import type { CheckContext } from './context.js';
import type { CheckKind, CheckResult } from './types.js';

/**
 * A unit of work of `onevenv check`. A task may find more work as it goes (the MCP task
 * reads the configs and hands back one task per server), so independent work runs in
 * parallel without a planning pass that would have to know everything up front.
 */
export interface CheckTask {
  kind: CheckKind;
  /** Shown while it runs: `mcp codebase`, `cmake build/debug`. */
  label: string;
  run(context: CheckContext): Promise<TaskOutcome>;
}

export interface TaskOutcome {
  checks: CheckResult[];
  tasks?: CheckTask[];
}
