import path from 'node:path';
import { UserError } from '../util/errors.js';
import { readTextIfExists, writeFileAtomic } from '../util/fs.js';
import { type OnevenvConfig, parseConfigText, relativeToRoot } from './config.js';
import { lockProject } from './lock/lock-project.js';
import { normalizeName, parseRequirement } from './pep508.js';
import {
  addRequirements,
  EditError,
  type EditResult,
  removeRequirements,
} from './pyproject-edit.js';
import { CONFIG_FILE } from './root.js';

/**
 * `add` and `remove`: edit the declaration, relock, then (optionally) sync, without ever
 * leaving the repository half-changed. The new lock is resolved in memory first; only
 * when resolution succeeds are the declaration and the lock replaced, so a failing
 * resolution leaves both byte for byte as they were.
 */

export type Change =
  | { kind: 'add'; group: string; requirements: string[] }
  | { kind: 'remove'; group: string | undefined; names: string[] };

export interface ChangePlan {
  root: string;
  configPath: string;
  lockPath: string;
  edit: EditResult;
  /** The declaration as read (BOM kept) and as it will be written. */
  before: string;
  after: string;
  lockBefore: string | undefined;
  lockAfter: string;
  /** The config parsed from the new declaration. */
  config: OnevenvConfig;
  installer: 'uv' | 'pip';
  packages: Array<{ name: string; version: string; groups: string[] }>;
}

const BOM = '\uFEFF';

export function validateRequirements(requirements: string[]): void {
  const problems = requirements.flatMap((raw) => {
    const parsed = parseRequirement(raw);
    return parsed.ok ? [] : [parsed.error];
  });
  if (problems.length > 0) {
    throw new UserError(`invalid requirement: ${problems.join('; ')}`, {
      fix: 'use PEP 508, e.g. "fastapi>=0.110" or "tree-sitter[cli]==0.21.3"',
    });
  }
}

function editDeclaration(text: string, change: Change): EditResult {
  try {
    return change.kind === 'add'
      ? addRequirements(text, change.group, change.requirements)
      : removeRequirements(text, change.names, change.group);
  } catch (error) {
    if (error instanceof EditError) {
      throw new UserError(error.message, { location: { file: CONFIG_FILE } });
    }
    throw error;
  }
}

/** Edits and relocks into a temporary file; writes nothing the user can see. */
export async function planChange(
  root: string,
  change: Change,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<ChangePlan> {
  if (change.kind === 'add') validateRequirements(change.requirements);
  const configPath = path.join(root, CONFIG_FILE);
  const raw = await readTextIfExists(configPath);
  if (raw === undefined) {
    throw new UserError(`${CONFIG_FILE} not found`, {
      location: { file: CONFIG_FILE },
      fix: "run 'onevenv adopt --write' first, or create it by hand",
    });
  }
  const bom = raw.startsWith(BOM) ? BOM : '';
  const text = raw.slice(bom.length);
  // The current declaration must be valid before we touch it.
  parseConfigText(text, root);
  const edit = editDeclaration(text, change);
  if (change.kind === 'remove') {
    const missing = change.names.filter((name) =>
      edit.changes.every((c) => c.name !== normalizeName(name) || c.action !== 'removed'),
    );
    if (missing.length > 0) {
      const where =
        change.group === undefined ? 'any dependency group' : `dependency-groups.${change.group}`;
      throw new UserError(
        `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in ${where}`,
        {
          location: { file: CONFIG_FILE },
          fix: 'nothing was changed; check the name with: onevenv lock --json',
        },
      );
    }
  }
  const config = parseConfigText(edit.text, root);
  const lockBefore = await readTextIfExists(config.lock);
  let outcome: Awaited<ReturnType<typeof lockProject>>;
  try {
    outcome = await lockProject(config, { env: options.env, write: false });
  } catch (error) {
    if (error instanceof UserError) {
      throw new UserError(`${error.message} (${CONFIG_FILE} and the lock were not changed)`, {
        location: error.location,
        fix: error.fix,
        exitCode: error.exitCode,
      });
    }
    throw error;
  }
  if (outcome.kind !== 'locked') throw new Error('lockProject did not lock');
  return {
    root,
    configPath,
    lockPath: config.lock,
    edit,
    before: raw,
    after: bom + edit.text,
    lockBefore,
    lockAfter: outcome.text,
    config,
    installer: outcome.installer,
    packages: outcome.packages,
  };
}

/** Writes the declaration, then the lock; refuses when either changed since the plan. */
export async function writeChange(plan: ChangePlan): Promise<void> {
  const now = await readTextIfExists(plan.configPath);
  const lockNow = await readTextIfExists(plan.lockPath);
  for (const [file, expected, actual] of [
    [plan.configPath, plan.before, now],
    [plan.lockPath, plan.lockBefore, lockNow],
  ] as const) {
    if (expected !== actual) {
      throw new UserError(`${relativeToRoot(plan, file)} changed while onevenv was working`, {
        location: { file: relativeToRoot(plan, file) },
        fix: 'nothing was written; run the command again',
      });
    }
  }
  if (plan.after !== plan.before) await writeFileAtomic(plan.configPath, plan.after);
  if (plan.lockAfter !== plan.lockBefore) await writeFileAtomic(plan.lockPath, plan.lockAfter);
  const { refreshGeneratedFiles } = await import('./setup-script/refresh.js');
  await refreshGeneratedFiles(plan.config);
}
