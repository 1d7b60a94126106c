import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isUserError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { failsCheck } from '../scan/model.js';
import { encodeText, readFileState } from './file-state.js';
import type { AdoptPlan, PlannedFile, PlannedReference } from './types.js';

/**
 * Writes a plan. All or nothing before the first write: every file is read again and
 * compared with what the plan read; if any changed (or a file to create appeared), nothing
 * is written and those files are named. Then each file is written atomically (the BOM
 * back, its mode kept), the lock is resolved, and a fresh scan proves that nothing is left
 * off the unified venv beyond what the plan reported.
 */

export interface RefusedFile {
  file: string;
  reason: string;
}

export interface LockOutcomeSummary {
  /** 'written': resolved and written; 'current': nothing to do; 'failed': see message. */
  status: 'written' | 'unchanged' | 'current' | 'failed';
  message?: string;
  /** What to run by hand after a failure. */
  command?: string;
}

export interface ProofFailure extends PlannedReference {
  reason: string;
}

export interface ApplyOutcome {
  written: string[];
  refused: RefusedFile[];
  lock: LockOutcomeSummary | undefined;
  /** References off the unified venv that the plan did not report as left. */
  proofFailures: ProofFailure[];
}

export interface ApplyOptions {
  env?: NodeJS.ProcessEnv;
  /** Skip resolving the lock (tests that only look at files). */
  skipLock?: boolean;
  onLockOutput?: (chunk: string) => void;
}

async function changedSincePlan(root: string, file: PlannedFile): Promise<string | undefined> {
  const state = await readFileState(root, file.file);
  if (file.action === 'create') {
    return state.exists ? 'it was created since the plan was made' : undefined;
  }
  if (!state.exists) return 'it was deleted since the plan was made';
  if (state.digest !== file.digest) return 'it changed since the plan was made';
  return undefined;
}

function key(reference: PlannedReference): string {
  return `${reference.file}\0${reference.adapter}\0${reference.kind}\0${reference.text}`;
}

export async function applyPlan(
  plan: AdoptPlan,
  options: ApplyOptions = {},
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { written: [], refused: [], lock: undefined, proofFailures: [] };
  for (const file of plan.files) {
    const reason = await changedSincePlan(plan.root, file);
    if (reason) outcome.refused.push({ file: file.file, reason });
  }
  if (outcome.refused.length > 0) return outcome;

  for (const file of plan.files) {
    // Once more right before the write: a change in the meantime stops here.
    const reason = await changedSincePlan(plan.root, file);
    if (reason) {
      outcome.refused.push({ file: file.file, reason });
      return outcome;
    }
    const target = path.join(plan.root, file.file);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const writeOptions = file.mode === undefined ? {} : { mode: file.mode };
    await writeFileAtomic(target, encodeText(file.after, file.bom), writeOptions);
    outcome.written.push(file.file);
  }

  if (!options.skipLock) outcome.lock = await writeLock(plan, options);
  outcome.proofFailures = await prove(plan);
  return outcome;
}

async function writeLock(plan: AdoptPlan, options: ApplyOptions): Promise<LockOutcomeSummary> {
  const [{ loadConfig }, { lockProject }] = await Promise.all([
    import('../config.js'),
    import('../lock/lock-project.js'),
  ]);
  try {
    const config = await loadConfig(plan.root);
    const { lockStatus } = await import('../lock/status.js');
    if ((await lockStatus(config)).state === 'current') return { status: 'current' };
    const result = await lockProject(config, {
      env: options.env,
      onOutput: options.onLockOutput,
    });
    if (result.kind !== 'locked') return { status: 'current' };
    return { status: result.changed ? 'written' : 'unchanged' };
  } catch (error) {
    if (!isUserError(error)) throw error;
    const message = error.message.split('\n')[0]!;
    return { status: 'failed', message, command: plan.lock.command };
  }
}

/**
 * Scans the written repository: every reference off the unified venv must be one the plan
 * reported as left (same file, adapter, kind and text; lines may have moved).
 */
async function prove(plan: AdoptPlan): Promise<ProofFailure[]> {
  const { scanRepository } = await import('../scan/scan.js');
  const scan = await scanRepository(plan.root);
  const allowed = new Map<string, number>();
  for (const reference of plan.unhandled) {
    allowed.set(key(reference), (allowed.get(key(reference)) ?? 0) + 1);
  }
  const failures: ProofFailure[] = [];
  const { OWN_FILES } = await import('./plan.js');
  for (const reference of scan.references) {
    if (reference.unified || !failsCheck(reference) || OWN_FILES.has(reference.file)) continue;
    const count = allowed.get(key(reference)) ?? 0;
    if (count > 0) {
      allowed.set(key(reference), count - 1);
      continue;
    }
    failures.push({
      file: reference.file,
      line: reference.line,
      column: reference.column,
      text: reference.text,
      kind: reference.kind,
      adapter: reference.adapter,
      consumer: reference.consumer,
      environment: reference.environment,
      reason: 'still off the unified venv after adopt, and the plan did not say it would be',
    });
  }
  return failures;
}
