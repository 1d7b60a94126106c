import type { OnevenvConfig } from '../config.js';
import { type LockStatus, lockStatus } from '../lock/status.js';
import { holderIsDead, readLockHolder } from '../venv/env-lock.js';
import { type ImportFailure, readMarker, realPathOrUndefined, venvPython } from '../venv/marker.js';
import { inspectVenvDir } from '../venv/venv-dir.js';
import { installerEnv } from './install.js';
import { deepDamage, displayPath, evaluateForConfig } from './sync.js';

/** `onevenv status`: what sync would find, from reads alone. Changes nothing. */

export type EnvironmentState = 'ready' | 'stale' | 'missing';

export interface EnvironmentStatus {
  state: EnvironmentState;
  /** Why it is not ready (empty when ready). */
  reasons: string[];
  venv: string;
  /** The venv's interpreter when it exists. */
  python: string | null;
  pythonVersion: string | null;
  installer: 'uv' | 'pip' | null;
  packages: number | null;
  imports: { ok: boolean; failed: ImportFailure[] } | null;
  lock: LockStatus;
}

export async function environmentStatus(
  config: OnevenvConfig,
  options: { deep?: boolean } = {},
): Promise<EnvironmentStatus> {
  const display = displayPath(config);
  const shown = display(config.venv);
  const lock = await lockStatus(config);
  const python = venvPython(config.venv);
  const status: EnvironmentStatus = {
    state: 'ready',
    reasons: [],
    venv: config.venv,
    python: realPathOrUndefined(python) ? python : null,
    pythonVersion: null,
    installer: null,
    packages: null,
    imports: null,
    lock,
  };
  const dir = await inspectVenvDir(config.venv);
  if (dir.kind === 'absent' || dir.kind === 'empty') {
    status.state = 'missing';
    status.reasons.push(`${shown} does not exist`);
  } else if (dir.kind === 'not-a-directory' || dir.kind === 'foreign') {
    status.state = 'missing';
    status.reasons.push(
      `${shown} exists but is not a virtual environment (sync refuses to touch it)`,
    );
  } else {
    const read = readMarker(config.venv);
    if (read.kind === 'absent') {
      status.reasons.push(`${shown} has no onevenv state marker (not built by onevenv sync)`);
    } else if (read.kind === 'corrupt') {
      status.reasons.push(`${shown}'s state marker is unreadable: ${read.reason}`);
    } else {
      const marker = read.marker;
      status.pythonVersion = marker.python.version;
      status.installer = marker.installer;
      status.packages = marker.packages;
      status.imports = marker.imports;
      if (!(config.configPath in marker.inputs)) {
        status.reasons.push(`the state marker was not written for ${display(config.configPath)}`);
      }
      status.reasons.push(...evaluateForConfig(config, marker, false).reasons);
      if (options.deep && status.python) {
        const damage = await deepDamage(config, installerEnv());
        if (damage) status.reasons.push(damage);
      }
    }
    if (lock.state !== 'current') status.reasons.push(`the lock is ${lock.state}: ${lock.reason}`);
  }
  const holder = await readLockHolder(`${config.venv}.lock`);
  if (holder && !holderIsDead(holder)) {
    status.reasons.push(`a sync is changing ${shown} now (pid ${holder.pid})`);
  }
  if (status.state === 'ready' && status.reasons.length > 0) status.state = 'stale';
  return status;
}
