import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  baseOf,
  coverageOf,
  isGitignoreFile,
  isPathIgnored,
  siblingPaths,
  siblingsEntry,
  unifiedVenvCoverage,
} from '../../adapters/gitignore/detect.js';
import { CONFIG_FILE } from '../root.js';
import { parseIgnoreFile } from '../scan/gitignore.js';
import type { ScanReference, ScanResult } from '../scan/model.js';
import { toolVersion } from '../venv/tool-version.js';
import type { CheckContext } from './context.js';
import type { CheckTask, TaskOutcome } from './task.js';
import { type CheckResult, failed, passed } from './types.js';

/**
 * The checks that read files only: the lock is current, the generated files are what
 * onevenv generates now, the venv is ignored, no other venv is used or left behind, and
 * this worktree's venv is ready.
 */

export const lockTask: CheckTask = {
  kind: 'lock',
  label: 'lock',
  async run(context: CheckContext): Promise<TaskOutcome> {
    const { lockStatus } = await import('../lock/status.js');
    const status = await lockStatus(context.config);
    const target = context.display(context.config.lock);
    if (status.state === 'current')
      return { checks: [passed('lock', 'lock', target, status.reason)] };
    return {
      checks: [failed('lock', 'lock', target, `${status.state}: ${status.reason}`, 'onevenv lock')],
    };
  },
};

/** 1-based number of the first line where the two texts differ. */
export function firstDifference(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return i + 1;
  }
  return 0;
}

interface Generated {
  file: string;
  render(context: CheckContext, scan: ScanResult): Promise<string>;
  /** setup.sh must be runnable as `python/setup.sh`. */
  executable: boolean;
}

const GENERATED: Generated[] = [
  {
    file: 'python/setup.sh',
    executable: true,
    async render(context) {
      const { generateSetupScript } = await import('../setup-script/generate.js');
      return generateSetupScript(context.config);
    },
  },
  {
    file: 'python/README.md',
    executable: false,
    async render(context, scan) {
      const { generateReadme } = await import('../readme/render.js');
      return generateReadme(context.config, scan.references);
    },
  },
];

async function generatedCheck(
  context: CheckContext,
  generated: Generated,
  scan: ScanResult,
): Promise<CheckResult> {
  const { file } = generated;
  const id = `generated:${file}`;
  const fix = 'onevenv adopt --write regenerates it';
  let onDisk: string;
  try {
    onDisk = await fs.readFile(context.absolute(file), 'utf8');
  } catch {
    return failed(
      'generated',
      id,
      file,
      `${file} does not exist`,
      'onevenv adopt --write generates it',
    );
  }
  const expected = await generated.render(context, scan);
  // A checkout that turned line endings into CRLF changed nothing that matters.
  const normalized = generated.executable ? onDisk : onDisk.replace(/\r\n/g, '\n');
  if (normalized !== expected) {
    return failed(
      'generated',
      id,
      file,
      `${file} is not what onevenv ${toolVersion()} generates for ${CONFIG_FILE} now (first difference at line ${firstDifference(normalized, expected)})`,
      fix,
    );
  }
  if (generated.executable && process.platform !== 'win32') {
    const mode = statSync(context.absolute(file)).mode;
    if ((mode & 0o111) === 0) {
      return failed(
        'generated',
        id,
        file,
        `${file} is current but not executable`,
        `chmod +x ${file}`,
      );
    }
  }
  return passed('generated', id, file, `${file} is current`);
}

export const generatedTask: CheckTask = {
  kind: 'generated',
  label: 'generated files',
  async run(context: CheckContext): Promise<TaskOutcome> {
    const scan = await context.scan();
    return {
      checks: await Promise.all(
        GENERATED.map((generated) => generatedCheck(context, generated, scan)),
      ),
    };
  },
};

interface IgnoreText {
  file: string;
  content: string;
}

/**
 * The files onevenv keeps beside the venv (the environment lock and its guard, their
 * temporary files, a venv moved aside mid-rebuild) that these .gitignore files together
 * do not ignore, named with `*` where the name varies.
 */
function unignoredSiblings(files: readonly IgnoreText[], venv: string): string[] {
  const rules = files
    .map(({ file, content }) => ({ content, base: baseOf(file) }))
    .filter(({ base }) => base === '' || venv.startsWith(`${base}/`))
    .sort((a, b) => a.base.split('/').length - b.base.split('/').length)
    .map(({ content, base }) => parseIgnoreFile(content, base));
  const missing = siblingPaths(venv)
    .filter(([file, isDirectory]) => !isPathIgnored(rules, file, isDirectory))
    .map(([file]) => file.replace(/\.\d+\.[0-9a-f]+\.tmp$/, '.*.tmp').replace(/-[0-9a-f]+$/, '-*'));
  return [...new Set(missing)];
}

/**
 * Where the entry for the files beside the venv goes: adopt adds `python/.venv.*` to the
 * root .gitignore when that is what ignores the venv (or nothing does yet); a deeper
 * .gitignore that ignores it is the user's to extend.
 */
function siblingsFix(files: readonly IgnoreText[], venv: string): string {
  const ignoring = files.filter(
    ({ file, content }) => coverageOf(content, file, venv)?.ignored === true,
  );
  const owner = ignoring
    .filter(({ file }) => file !== '.gitignore')
    .sort((a, b) => b.file.split('/').length - a.file.split('/').length)[0];
  if (owner === undefined || ignoring.some(({ file }) => file === '.gitignore')) {
    return `add ${siblingsEntry(venv)} to .gitignore (onevenv adopt --write adds it)`;
  }
  const base = baseOf(owner.file);
  return `add /${venv.slice(base.length + 1)}.* to ${owner.file}, the .gitignore that ignores ${venv}`;
}

export const gitignoreTask: CheckTask = {
  kind: 'gitignore',
  label: 'gitignore',
  async run(context: CheckContext): Promise<TaskOutcome> {
    const venv = context.venvShown;
    if (path.isAbsolute(venv)) {
      return {
        checks: [passed('gitignore', 'gitignore', venv, `${venv} is outside the repository`)],
      };
    }
    const listing = await context.files();
    const files: IgnoreText[] = [];
    for (const file of listing.files.filter(isGitignoreFile)) {
      try {
        files.push({ file, content: await fs.readFile(context.absolute(file), 'utf8') });
      } catch {
        // vanished since listed
      }
    }
    const coverage = unifiedVenvCoverage(files, venv);
    const missing = unignoredSiblings(files, venv);
    const by = coverage.decidedBy ? ` (${coverage.decidedBy})` : '';
    if (coverage.ignored && missing.length === 0) {
      return { checks: [passed('gitignore', 'gitignore', venv, `${venv} is ignored${by}`)] };
    }
    if (coverage.ignored) {
      return {
        checks: [
          failed(
            'gitignore',
            'gitignore',
            venv,
            `${venv} is ignored${by}, but not what onevenv keeps beside it: ${missing.join(', ')} (${siblingsEntry(venv)} ignores them)`,
            siblingsFix(files, venv),
          ),
        ],
      };
    }
    const why = coverage.decidedBy
      ? `${venv} is not ignored: ${coverage.decidedBy} decides`
      : `${venv} is not ignored by any .gitignore`;
    const fix =
      missing.length === 0
        ? `add /${venv}/ to .gitignore (onevenv adopt --write adds it)`
        : `add /${venv}/ and ${siblingsEntry(venv)} to .gitignore (onevenv adopt --write adds them)`;
    return { checks: [failed('gitignore', 'gitignore', venv, why, fix)] };
  },
};

/** Venvs other tools make on purpose, and sync's own trash: not strays. */
function ignoredVenv(id: string): boolean {
  return /^(?:\.tox|\.nox)\//.test(id) || id.includes('.onevenv-trash-');
}

/** Prose and ignore rules mention a venv without using it; external interpreters are not ours. */
function uses(reference: ScanReference): boolean {
  return (
    reference.adapter !== 'docs' &&
    reference.adapter !== 'gitignore' &&
    reference.skipReason !== 'documentation' &&
    reference.skipReason !== 'external-interpreter'
  );
}

export function strayVenvChecks(scan: ScanResult): CheckResult[] {
  const unified = scan.unifiedVenv;
  const byVenv = new Map<string, ScanReference[]>();
  for (const environment of scan.environments) {
    if (environment.path === null || environment.id === unified || ignoredVenv(environment.id))
      continue;
    const references = scan.references.filter(
      (reference) => reference.environment === environment.id && uses(reference),
    );
    if (references.length > 0) byVenv.set(environment.id, references);
  }
  const onDisk = new Set(scan.venvsOnDisk.filter((id) => id !== unified && !ignoredVenv(id)));
  const ids = [...new Set([...byVenv.keys(), ...onDisk])].sort();
  if (ids.length === 0) {
    return [
      passed(
        'stray-venv',
        'stray-venv',
        'other venvs',
        `no venv other than ${unified} is used or on disk`,
      ),
    ];
  }
  return ids.map((id) => {
    const references = byVenv.get(id) ?? [];
    const parts: string[] = [];
    if (references.length > 0) {
      const consumers = new Map<string, string>();
      for (const reference of references) {
        if (!consumers.has(reference.consumer)) {
          consumers.set(reference.consumer, `${reference.file}:${reference.line}`);
        }
      }
      parts.push(
        `used by ${[...consumers].map(([consumer, where]) => `${consumer} (${where})`).join(', ')}`,
      );
    }
    if (onDisk.has(id)) parts.push('left on disk');
    const fix =
      references.length > 0
        ? `onevenv adopt --write moves its consumers onto ${unified}`
        : `nothing uses it: remove it (rm -rf ${id})`;
    return failed('stray-venv', `stray-venv:${id}`, id, `${id}: ${parts.join('; ')}`, fix);
  });
}

export const strayVenvTask: CheckTask = {
  kind: 'stray-venv',
  label: 'stray venvs',
  async run(context: CheckContext): Promise<TaskOutcome> {
    return { checks: strayVenvChecks(await context.scan()) };
  },
};

/** `main worktree`, `worktree <name>` (linked), or `checkout` outside git worktrees. */
export function worktreeLabel(root: string): string {
  let text: string;
  try {
    if (statSync(path.join(root, '.git')).isDirectory()) return 'main worktree';
    text = readFileSync(path.join(root, '.git'), 'utf8');
  } catch {
    return 'checkout';
  }
  const gitdir = /^gitdir:\s*(.+?)\s*$/m.exec(text)?.[1];
  if (gitdir && /[/\\]worktrees[/\\][^/\\]+$/.test(gitdir)) {
    return `worktree ${path.basename(gitdir)}`;
  }
  return 'checkout';
}

export const worktreeTask: CheckTask = {
  kind: 'worktree',
  label: 'worktree',
  async run(context: CheckContext): Promise<TaskOutcome> {
    const label = worktreeLabel(context.root);
    const status = await context.status();
    const venv = context.venvShown;
    if (status.state === 'ready') {
      const facts = [
        status.pythonVersion ? `Python ${status.pythonVersion}` : undefined,
        status.packages !== null
          ? `${status.packages} package${status.packages === 1 ? '' : 's'}`
          : undefined,
        status.installer ?? undefined,
      ].filter((fact): fact is string => fact !== undefined);
      return {
        checks: [passed('worktree', 'worktree', label, `${venv} is ready (${facts.join(', ')})`)],
      };
    }
    const linked = label.startsWith('worktree ');
    return {
      checks: [
        failed(
          'worktree',
          'worktree',
          label,
          `${venv} is ${status.state}: ${status.reasons.join('; ')}`,
          linked
            ? 'onevenv sync in this worktree (onevenv hook install sets up new worktrees on checkout)'
            : 'onevenv sync',
        ),
      ],
    };
  },
};
