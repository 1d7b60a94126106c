import { TomlError } from 'smol-toml';
import type { AdapterName } from '../../adapters/types.js';
import { UserError } from '../../util/errors.js';
import { parseConfigText } from '../config.js';
import { POINTER_FILES, pointerEdit } from '../readme/pointer.js';
import { generateReadme } from '../readme/render.js';
import {
  CONFIG_DIR,
  CONFIG_FILE,
  LOCK_FILE,
  OWN_FILES,
  README_FILE,
  SETUP_SCRIPT_FILE,
} from '../root.js';
import { normalizeEnvironment, type ScanReference, type ScanResult } from '../scan/model.js';
import { usesCrlf } from './apply-edits.js';
import { combineRequiresPython, type Declaration, planDeclaration } from './declaration.js';
import { type FileState, readFileState } from './file-state.js';
import { mergePyproject, renderPyproject } from './pyproject.js';
import { type ExtraEdits, rewriteFiles } from './rewrite-files.js';
import type {
  AdoptFacts,
  AdoptPlan,
  LockPlan,
  OldVenv,
  PlannedFile,
  PlannedReference,
  Rewriter,
  UnhandledReference,
} from './types.js';

export { LOCK_FILE, OWN_FILES, README_FILE, SETUP_SCRIPT_FILE } from '../root.js';

export interface AdoptOptions {
  /** Rewrite documentation too. */
  docs?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The interpreter version to plan for; found on the machine when not given. */
  interpreterVersion?: string | null;
  /** Rewriters to use instead of those in src/adapters (tests of the core). */
  rewriters?: ReadonlyMap<AdapterName, Rewriter>;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function shellWord(value: string): string {
  return /^[\w./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** The version of the interpreter a fresh venv would be built from, if any fits. */
async function findInterpreterVersion(
  root: string,
  requiresPython: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ version: string | undefined; note?: string }> {
  const { discoverInterpreter, readPythonVersionPins } = await import('../interpreter.js');
  const { pins, file } = readPythonVersionPins({
    root,
    configDir: `${root}/${CONFIG_DIR}`,
  });
  const discovery = await discoverInterpreter(
    { requiresPython, pins, pinFile: file },
    { env, cwd: root },
  );
  if (discovery.chosen) return { version: discovery.chosen.version };
  const wanted = requiresPython ? ` satisfying requires-python ${requiresPython}` : '';
  return {
    version: undefined,
    note: `no Python interpreter${wanted} was found on this machine: python/setup.sh and onevenv sync will need one`,
  };
}

function generatedFile(
  state: FileState,
  after: string,
  reason: string,
  mode?: number,
): PlannedFile | undefined {
  let text = after;
  // A checkout that turned the file's line endings into CRLF keeps them (not setup.sh).
  if (state.exists && mode === undefined && usesCrlf(state.text)) {
    text = text.replace(/\n/g, '\r\n');
  }
  if (state.exists && state.text === text) return undefined;
  const file: PlannedFile = {
    file: state.file,
    action: state.exists ? 'update' : 'create',
    origin: 'generated',
    reasons: [reason],
    after: text,
    bom: state.bom,
  };
  if (state.exists) {
    file.before = state.text;
    file.digest = state.digest!;
  } else if (mode !== undefined) {
    file.mode = mode;
  }
  return file;
}

/** Everything adopt needs besides the plan itself, for applying and reporting. */
export interface PlanContext {
  scan: ScanResult;
  declaration: Declaration;
  /** The declaration python/pyproject.toml will hold. */
  configText: string;
}

/**
 * Scans the repository and assembles the adoption: python/pyproject.toml, README.md and
 * setup.sh as they should be, every consumer file as its rewriter leaves it (proved by
 * detecting again), and what is left with why. Reads only.
 */
export async function planAdoption(
  root: string,
  options: AdoptOptions = {},
): Promise<{ plan: AdoptPlan; context: PlanContext }> {
  const env = options.env ?? process.env;
  const [{ scanRepository }, { listFiles }, { adapters }] = await Promise.all([
    import('../scan/scan.js'),
    import('../scan/discover.js'),
    import('../../adapters/index.js'),
  ]);
  const [scan, listing, pyprojectState] = await Promise.all([
    scanRepository(root),
    listFiles(root),
    readFileState(root, CONFIG_FILE),
  ]);
  const notes: string[] = [];

  let interpreterVersion: string | undefined;
  if (!pyprojectState.exists) {
    if (options.interpreterVersion !== undefined) {
      interpreterVersion = options.interpreterVersion ?? undefined;
    } else {
      const wanted = combineRequiresPython(
        scan.dependencySources
          .filter((s) => !s.unified && s.requiresPython)
          .map((s) => s.requiresPython!.specifier),
        undefined,
      );
      const found = await findInterpreterVersion(root, wanted, env);
      interpreterVersion = found.version;
      if (found.note) notes.push(found.note);
    }
  }
  const declaration = planDeclaration({ scan, files: listing.files, interpreterVersion });
  notes.push(...declaration.notes);

  let configText: string;
  const files: PlannedFile[] = [];
  if (pyprojectState.exists) {
    if (!pyprojectState.utf8) {
      throw new UserError(`${CONFIG_FILE} is not UTF-8 text`, {
        location: { file: CONFIG_FILE },
        fix: 'save it as UTF-8 and run again',
      });
    }
    let merged: ReturnType<typeof mergePyproject>;
    try {
      merged = mergePyproject(pyprojectState.text, declaration);
    } catch (error) {
      if (error instanceof TomlError) {
        const message = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
        throw new UserError(`invalid TOML: ${message}`, {
          location: { file: CONFIG_FILE, line: error.line, column: error.column },
          fix: 'fix the syntax and run again',
        });
      }
      throw new UserError(`${CONFIG_FILE}: ${(error as Error).message}`, {
        location: { file: CONFIG_FILE },
        fix: 'edit it by hand, then run adopt again',
      });
    }
    configText = merged.text;
    if (merged.text !== pyprojectState.text) {
      files.push({
        file: CONFIG_FILE,
        action: 'update',
        origin: 'generated',
        reasons: merged.changes,
        before: pyprojectState.text,
        after: merged.text,
        digest: pyprojectState.digest!,
        bom: pyprojectState.bom,
      });
    }
  } else {
    configText = renderPyproject(declaration, root);
    files.push({
      file: CONFIG_FILE,
      action: 'create',
      origin: 'generated',
      reasons: ['the declaration: requires-python, one dependency group per context, settings'],
      after: configText,
      bom: false,
    });
  }
  const config = parseConfigText(configText, root);

  const unifiedVenv = normalizeEnvironment(scan.unifiedVenv);
  const replaced = new Set<string>();
  for (const environment of scan.environments) {
    if (environment.path !== null && environment.id !== unifiedVenv) replaced.add(environment.id);
  }
  const facts: AdoptFacts = {
    root,
    unifiedVenv,
    interpreter: `${unifiedVenv}/bin/python3`,
    setupScript: SETUP_SCRIPT_FILE,
    configFile: CONFIG_FILE,
    lockFile: LOCK_FILE,
    readme: README_FILE,
    options: { docs: options.docs === true },
    replacedVenvs: [...replaced].sort(compareStrings),
    venvsOnDisk: scan.venvsOnDisk,
    declaredPackages: declaredPackages(config, declaration),
    editables: declaration.editables,
    paths: declaration.paths,
    references: scan.references,
  };

  const extraEdits = new Map<string, ExtraEdits>();
  for (const file of POINTER_FILES) {
    extraEdits.set(file, (content, state) => {
      if (!state.exists) return [];
      const edit = pointerEdit(content, README_FILE, unifiedVenv, SETUP_SCRIPT_FILE);
      return edit ? [edit] : [];
    });
  }
  // onevenv's own files are written whole, never rewritten: setup.sh must find a system
  // python3 to build the venv from, so its references are by design off the venv.
  const ownFiles = OWN_FILES;
  const rewrites = await rewriteFiles({
    root,
    references: scan.references.filter((reference) => !ownFiles.has(reference.file)),
    facts,
    adapters,
    extraEdits,
    ...(options.rewriters ? { rewriters: options.rewriters } : {}),
  });

  const handled: PlannedReference[] = [];
  const unhandled: UnhandledReference[] = [];
  const afterReferences: ScanReference[] = [];
  for (const rewrite of rewrites) {
    handled.push(...rewrite.handled.map((r) => toPlanned(r)));
    unhandled.push(...rewrite.unhandled);
    afterReferences.push(...rewrite.afterReferences);
    notes.push(...rewrite.notes);
    if (rewrite.after === undefined) continue;
    const state = rewrite.state;
    const planned: PlannedFile = {
      file: state.file,
      action: state.exists ? 'update' : 'create',
      origin: 'rewritten',
      reasons: rewrite.reasons,
      after: rewrite.after,
      bom: state.bom,
    };
    if (rewrite.adapters.length > 0) planned.adapter = rewrite.adapters[0]!;
    if (state.exists) {
      planned.before = state.text;
      planned.digest = state.digest!;
    }
    files.push(planned);
  }

  // Generated files beside the declaration.
  const readmeText = generateReadme(config, afterReferences);
  const readme = generatedFile(
    await readFileState(root, README_FILE),
    readmeText,
    'the setup guide, generated from the declaration and the consumers found',
  );
  if (readme) files.push(readme);

  const setupScript = await renderSetupScript(config);
  if (setupScript.text !== undefined) {
    const script = generatedFile(
      await readFileState(root, SETUP_SCRIPT_FILE),
      setupScript.text,
      'the bootstrap: builds python/.venv from the lock with only python3',
      0o755,
    );
    if (script) files.push(script);
  } else {
    notes.push(setupScript.note!);
  }

  files.sort((a, b) => compareStrings(a.file, b.file));

  const lock = await planLock(config);
  const oldVenvs: OldVenv[] = scan.venvsOnDisk
    .filter((venv) => normalizeEnvironment(venv) !== unifiedVenv)
    .map((venv) => ({
      path: venv,
      consumers: scan.environments.find((e) => e.id === venv)?.consumers ?? [],
      removeCommand: `rm -rf ${shellWord(venv)}`,
    }));

  const plan: AdoptPlan = {
    root,
    unifiedVenv,
    files,
    lock,
    handled: handled.sort(comparePlanned),
    unhandled: unhandled.sort(comparePlanned),
    dependencyConflicts: declaration.conflicts,
    oldVenvs,
    notes: [...new Set(notes)],
  };
  return { plan, context: { scan, declaration, configText } };
}

function toPlanned(reference: ScanReference): PlannedReference {
  return {
    file: reference.file,
    line: reference.line,
    column: reference.column,
    text: reference.text,
    kind: reference.kind,
    adapter: reference.adapter,
    consumer: reference.consumer,
    environment: reference.environment,
  };
}

function comparePlanned(a: PlannedReference, b: PlannedReference): number {
  return compareStrings(a.file, b.file) || a.line - b.line || a.column - b.column;
}

function declaredPackages(
  config: ReturnType<typeof parseConfigText>,
  declaration: Declaration,
): string[] {
  const names = new Set<string>();
  for (const requirement of config.dependencies) names.add(requirement.normalizedName);
  for (const list of Object.values(config.groups)) {
    for (const requirement of list) names.add(requirement.normalizedName);
  }
  for (const group of declaration.groups) for (const r of group.requirements) names.add(r.name);
  return [...names].sort(compareStrings);
}

async function renderSetupScript(
  config: ReturnType<typeof parseConfigText>,
): Promise<{ text?: string; note?: string }> {
  let generate: ((c: typeof config) => string) | undefined;
  try {
    ({ generateSetupScript: generate } = await import('../setup-script/generate.js'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
  if (!generate) {
    return { note: `${SETUP_SCRIPT_FILE} is not generated by this version of onevenv` };
  }
  return { text: generate(config) };
}

async function planLock(config: ReturnType<typeof parseConfigText>): Promise<LockPlan> {
  const { lockStatus } = await import('../lock/status.js');
  const status = await lockStatus(config);
  return {
    file: LOCK_FILE,
    action: status.state === 'current' ? 'current' : 'resolve',
    command: 'npx onevenv lock',
  };
}
