import { promises as fs, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { EXIT_FINDINGS, UserError } from '../../util/errors.js';
import { activeChildPids, checkInterrupted, runProcess } from '../../util/exec.js';
import { log } from '../../util/log.js';
import { onevenvCacheDir } from '../cache-dir.js';
import { loadConfig, locateString, type OnevenvConfig, relativeToRoot } from '../config.js';
import {
  findInterpreter,
  type Interpreter,
  interpreterRequest,
  queryInterpreter,
  rejectionReason,
} from '../interpreter.js';
import { indexArgs } from '../lock/index-settings.js';
import { parseLockFile } from '../lock/lock-file.js';
import { lockStatus } from '../lock/status.js';
import { CONFIG_FILE, requireRepoRoot } from '../root.js';
import { findUv } from '../tools.js';
import {
  acquireEnvLock,
  describeHolder,
  type EnvLock,
  holderIsDead,
  LOCK_TOKEN_VARIABLE,
  readLockHolder,
} from '../venv/env-lock.js';
import {
  dirIdentity,
  evaluateMarker,
  fileIdentity,
  fingerprintOf,
  hashFileSync,
  type ImportFailure,
  MARKER_FORMAT,
  type Marker,
  readMarker,
  realPathOrUndefined,
  resultFromMarker,
  type SyncResult,
  toolVersion,
  venvPython,
} from '../venv/marker.js';
import { canonicalRoot, hasLeftoversBeside } from '../venv/quick.js';
import {
  inspectVenvDir,
  moveVenvAside,
  readPyvenvCfg,
  refuseVenvDir,
  removeMarkerTemps,
  removeTrash,
  removeVenvDir,
  sitePackages,
  writeMarker,
} from '../venv/venv-dir.js';
import { PROOF_FORMAT, proofKey, readProof, writeProof } from './import-proof.js';
import {
  type Backend,
  createVenv,
  installerEnv,
  installLocked,
  missingEnsurepip,
  pipCanTarget,
  type StepRunner,
  uninstallExtraneous,
  writePathsPth,
} from './install.js';
import { type ProbeGroup, probeVenv } from './probe.js';

/**
 * `onevenv sync`: make the venv exactly match the lock. The order is what makes it safe
 * under kill and concurrency: decide from reads alone whether anything is to do; take the
 * environment lock; decide again (another process may have done it); mark the venv
 * `installing`; change it; validate; mark it `ready` with the fingerprint of every input.
 * A venv whose marker is not `ready` is never patched, it is rebuilt from scratch.
 */

export interface SyncOptions {
  /** Install the lock as it is, without checking it against the declaration. */
  frozen?: boolean;
  /** Exit 1 when the lock is stale instead of relocking. */
  locked?: boolean;
  /** `--python-install`: let uv install a matching Python (overrides the config). */
  pythonInstall?: boolean;
  /** `--deep`: also check every installed file against its RECORD hash (starts Python). */
  deep?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Files whose bytes decide the venv: any change makes it stale. */
export function inputFiles(config: OnevenvConfig): string[] {
  const files = [
    config.configPath,
    config.lock,
    path.join(config.configDir, '.python-version'),
    path.join(config.root, '.python-version'),
  ];
  for (const dir of config.editable) {
    for (const name of ['pyproject.toml', 'setup.cfg', 'setup.py'])
      files.push(path.join(dir, name));
  }
  return [...new Set(files)];
}

export function hashInputs(config: OnevenvConfig): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const file of inputFiles(config)) out[file] = hashFileSync(file);
  return out;
}

export function chooseBackend(config: OnevenvConfig, env: NodeJS.ProcessEnv): Backend {
  const uv = findUv(env);
  if (config.installer === 'uv') {
    if (!uv) {
      throw new UserError('installer = "uv" but uv is not on PATH', {
        location: { file: CONFIG_FILE, line: locateString(config.text, 'uv') },
        fix: 'install uv (https://docs.astral.sh/uv/), or set installer = "auto"',
      });
    }
    return 'uv';
  }
  if (config.installer === 'pip') return 'pip';
  return uv ? 'uv' : 'pip';
}

export function displayPath(config: OnevenvConfig): (file: string) => string {
  return (file) => relativeToRoot(config, file);
}

export function evaluateForConfig(config: OnevenvConfig, marker: Marker, frozen: boolean) {
  return evaluateMarker(marker, {
    toolVersion: toolVersion(),
    venv: config.venv,
    frozen,
    display: displayPath(config),
  });
}

/** Ready for the current inputs? (Reads only.) */
function readyMarker(config: OnevenvConfig, frozen: boolean): Marker | undefined {
  const read = readMarker(config.venv);
  if (read.kind !== 'ok') return undefined;
  if (!(config.configPath in read.marker.inputs)) return undefined;
  return evaluateForConfig(config, read.marker, frozen).ready ? read.marker : undefined;
}

function checkConfigValues(config: OnevenvConfig): void {
  for (const [key, list] of [
    ['paths', config.paths],
    ['editable', config.editable],
  ] as const) {
    for (const value of list) {
      if (/[\r\n\0]/.test(value)) {
        // The value as written (a TOML basic string escapes the break the way JSON does).
        const written = path.relative(config.configDir, value);
        throw new UserError(`tool.onevenv.${key}: a path may not contain a line break`, {
          location: { file: CONFIG_FILE, line: locateString(config.text, written) },
        });
      }
    }
  }
  for (const dir of config.editable) {
    if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    const written = path.relative(config.configDir, dir).split(path.sep).join('/');
    throw new UserError(`tool.onevenv.editable: ${written} is not a directory`, {
      location: { file: CONFIG_FILE, line: locateString(config.text, written) },
      fix: 'point it at the local package (the directory of its pyproject.toml or setup.py), or remove it',
    });
  }
}

async function ensureLockCurrent(
  config: OnevenvConfig,
  options: SyncOptions,
): Promise<'current' | 'unchecked'> {
  const lockName = relativeToRoot(config, config.lock);
  if (options.frozen) {
    try {
      await fs.access(config.lock);
    } catch {
      throw new UserError(`${lockName} does not exist; --frozen installs the lock as it is`, {
        location: { file: lockName },
        fix: 'run onevenv lock first, or sync without --frozen',
      });
    }
    return 'unchecked';
  }
  const status = await lockStatus(config);
  if (status.state === 'current') return 'current';
  if (options.locked) {
    throw new UserError(`${lockName} is ${status.state}: ${status.reason}`, {
      location: { file: lockName },
      fix: 'run onevenv lock and commit the result (--locked never relocks)',
      exitCode: EXIT_FINDINGS,
    });
  }
  return relock(config, status.reason, options);
}

async function relock(
  config: OnevenvConfig,
  reason: string,
  options: SyncOptions,
): Promise<'current'> {
  log.step(`Relocking: ${reason}`);
  const { lockProject } = await import('../lock/lock-project.js');
  await lockProject(config, { env: options.env ?? process.env });
  return 'current';
}

const PIN_LINE =
  /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\[[^\]]*\])?\s*===?\s*([^\s;\\]+)\s*(?:;\s*(.*?))?\s*$/;
const HASH = /^sha256[:=][0-9a-f]{64}$/;
/** The only options a lock may carry: where packages come from, never a second index. */
const LOCK_OPTION =
  /^(?:--index-url(?:[=\s]|$)|-i(?:\s|$)|--find-links(?:[=\s]|$)|-f(?:\s|$)|--no-index$)/;

/**
 * Only what `onevenv lock` writes is installed: every line a pin `name==version` with
 * sha256 hashes, each package pinned once per marker, and no option but the index and
 * find-links (no includes, no editables, no `--extra-index-url`). Checked before anything
 * is changed, so a hand-edited or damaged lock is named with its line instead of failing
 * inside the installer.
 */
function checkLock(config: OnevenvConfig, text: string): void {
  const lockName = relativeToRoot(config, config.lock);
  const regenerate = 'run onevenv lock to regenerate it';
  const refuse = (line: number, message: string, fix = regenerate) =>
    new UserError(message, { location: { file: lockName, line }, fix });
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const seen = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      line = `${line.slice(0, -1)} ${lines[i]!.trim()}`;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (line.includes('\0')) throw refuse(start, 'the line holds a NUL byte');
    if (trimmed.startsWith('-')) {
      if (/^--extra-index-url\b/.test(trimmed)) {
        throw refuse(
          start,
          '--extra-index-url is not allowed in the lock: a second index lets a public package shadow a private one',
          'remove the line; name one index with [tool.onevenv] index-url and run onevenv lock',
        );
      }
      if (!LOCK_OPTION.test(trimmed)) {
        throw refuse(
          start,
          `${trimmed.split(/\s/)[0]} is not allowed in the lock: sync installs only hashed pins from this file`,
        );
      }
      continue;
    }
    const hashes: string[] = [];
    const pin = trimmed
      .replace(/\s--hash[=\s](\S+)/g, (_, hash: string) => {
        hashes.push(hash);
        return '';
      })
      .trim();
    const match = PIN_LINE.exec(pin);
    if (!match)
      throw refuse(start, `${JSON.stringify(pin.slice(0, 80))} is not a pin (name==version)`);
    const name = match[1]!.toLowerCase().replace(/[-_.]+/g, '-');
    const bad = hashes.find((hash) => !HASH.test(hash));
    if (bad !== undefined)
      throw refuse(start, `${name}: ${JSON.stringify(bad)} is not a sha256 hash`);
    if (hashes.length === 0) {
      throw refuse(
        start,
        `${name}==${match[2]} has no --hash; sync installs only hashed pins`,
        'run onevenv lock to regenerate the lock with hashes',
      );
    }
    const key = `${name}\0${(match[3] ?? '').replace(/\s+/g, '')}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw refuse(start, `${name} is pinned twice (lines ${earlier} and ${start})`);
    }
    seen.set(key, start);
  }
}

async function readLockText(config: OnevenvConfig): Promise<string> {
  try {
    return await fs.readFile(config.lock, 'utf8');
  } catch (error) {
    const lockName = relativeToRoot(config, config.lock);
    throw new UserError(`cannot read ${lockName}: ${(error as Error).message}`, {
      location: { file: lockName },
      fix: 'run onevenv lock to write it again',
    });
  }
}

/** The import check's groups (python/setup.sh embeds the same list). */
export function probeGroups(config: OnevenvConfig): ProbeGroup[] {
  const groups: ProbeGroup[] = [];
  const requirements = (list: OnevenvConfig['dependencies']) =>
    list.map((r) => ({ name: r.normalizedName, marker: r.marker }));
  if (config.dependencies.length > 0 || config.imports.project) {
    groups.push({
      name: 'project',
      requirements: requirements(config.dependencies),
      modules: config.imports.project,
    });
  }
  for (const [name, list] of Object.entries(config.groups)) {
    groups.push({ name, requirements: requirements(list), modules: config.imports[name] });
  }
  for (const dir of config.editable) {
    groups.push({ name: `editable:${relativeToRoot(config, dir)}`, editables: [dir] });
  }
  return groups;
}

/** How the venv must change: build, rebuild (and why), or update in place. */
type Plan =
  | { action: 'create'; interpreter: Interpreter }
  | { action: 'rebuild'; reason: string; interpreter: Interpreter }
  | { action: 'update'; interpreter: Interpreter; previous: Marker };

async function planVenv(
  config: OnevenvConfig,
  backend: Backend,
  options: SyncOptions,
  env: NodeJS.ProcessEnv,
  damage: string | undefined,
): Promise<Plan> {
  const shown = relativeToRoot(config, config.venv);
  const dir = await inspectVenvDir(config.venv);
  const refusal = refuseVenvDir(dir, shown);
  if (refusal) throw refusal;
  // A venv's own python is never a base: discovery rejects virtual environments.
  const find = () => findInterpreter(config, { allowInstall: options.pythonInstall, env });
  if (dir.kind === 'absent' || dir.kind === 'empty') {
    return { action: 'create', interpreter: await find() };
  }
  if (dir.kind !== 'venv') throw new Error(`unexpected venv directory kind ${dir.kind}`);
  const rebuild = async (reason: string) => ({
    action: 'rebuild' as const,
    reason,
    interpreter: await find(),
  });
  if (damage) return rebuild(damage);
  if (!dir.hasPyvenvCfg) return rebuild('pyvenv.cfg is missing');
  const read = readMarker(config.venv);
  if (read.kind === 'absent') return rebuild('it was not built by onevenv (no state marker)');
  if (read.kind === 'corrupt') return rebuild(`its state marker is unreadable: ${read.reason}`);
  const previous = read.marker;
  if (previous.state !== 'ready') return rebuild('the previous sync did not finish');
  if (previous.venv !== config.venv) return rebuild(`it was built at ${previous.venv}`);
  if (previous.installer !== backend) {
    return rebuild(`it was built for ${previous.installer}, the installer now is ${backend}`);
  }
  const python = venvPython(config.venv);
  const real = realPathOrUndefined(python);
  if (!real) return rebuild(`its base interpreter ${previous.python.base} vanished or moved`);
  let version = previous.python.version;
  if (real !== previous.python.real || fileIdentity(real) !== previous.python.identity) {
    const facts = await queryInterpreter(python, env);
    if ('error' in facts) return rebuild(`its interpreter ${facts.error}`);
    const minor = (v: string) => v.split('.').slice(0, 2).join('.');
    if (minor(facts.version) !== minor(previous.python.version)) {
      return rebuild(
        `its base interpreter changed from ${previous.python.version} to ${facts.version}`,
      );
    }
    version = facts.version;
  }
  const request = interpreterRequest(config);
  const unfit = rejectionReason(version, request);
  if (unfit) return rebuild(`its Python ${version} ${unfit}`);
  const cfg = await readPyvenvCfg(config.venv);
  return {
    action: 'update',
    previous,
    interpreter: {
      path: previous.python.base,
      realPath: real,
      version,
      implementation: cfg?.implementation?.toLowerCase() ?? 'cpython',
      ensurepip: true,
      pip: undefined,
      source: 'path',
    },
  };
}

function baseMarker(
  config: OnevenvConfig,
  backend: Backend,
  interpreter: Interpreter,
  lockState: Marker['lockState'],
): Marker {
  const real = realPathOrUndefined(interpreter.realPath) ?? interpreter.realPath;
  const marker: Marker = {
    format: MARKER_FORMAT,
    state: 'installing',
    tool: toolVersion(),
    venv: config.venv,
    inputs: hashInputs(config),
    fingerprint: '',
    python: {
      base: interpreter.path,
      real,
      identity: fileIdentity(real) ?? '',
      version: interpreter.version,
    },
    installer: backend,
    lockState,
    editables: config.editable,
    paths: config.paths,
    site: { path: '', identity: '' },
    packages: 0,
    imports: { ok: false, failed: [] },
    updatedAt: new Date().toISOString(),
  };
  marker.fingerprint = fingerprintOf(marker);
  return marker;
}

/** A ready venv whose imports failed last time: import again, record the answer. */
async function revalidate(config: OnevenvConfig, marker: Marker, env: NodeJS.ProcessEnv) {
  const probe = await probeVenv(venvPython(config.venv), probeGroups(config), { env });
  const site = await sitePackages(config.venv);
  const updated: Marker = {
    ...marker,
    site: { path: site, identity: dirIdentity(site) ?? '' },
    imports: { ok: probe.failures.length === 0, failed: probe.failures },
    updatedAt: new Date().toISOString(),
  };
  await writeMarker(config.venv, updated);
  return resultFromMarker(updated, false);
}

/** `--deep`: installed files that no longer match their RECORD, described; undefined when none. */
export async function deepDamage(
  config: OnevenvConfig,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const probe = await probeVenv(venvPython(config.venv), [], { env, verify: true });
  const [first, ...more] = probe.problems;
  if (!first) return undefined;
  return `${displayPath(config)(first.file)} (${first.dist}) is ${first.problem}${more.length > 0 ? `, and ${more.length} more` : ''}`;
}

/**
 * A rebuild's old venv, or the lock file of a sync that is no longer running: left by a
 * run killed after it had marked the venv ready. (A live holder's lock is its business.)
 */
async function deadRunLeftovers(venv: string): Promise<boolean> {
  if (!hasLeftoversBeside(venv)) return false;
  const holder = await readLockHolder(`${venv}.lock`);
  if (holder && !holderIsDead(holder)) return false;
  return true;
}

export interface SyncHooks {
  /** Called once when another process holds the environment lock. */
  onWait?: (message: string) => void;
}

export async function syncEnvironment(
  config: OnevenvConfig,
  options: SyncOptions = {},
  hooks: SyncHooks = {},
): Promise<SyncResult> {
  const env = installerEnv(options.env ?? process.env);
  const display = displayPath(config);
  checkConfigValues(config);

  let damage: string | undefined;
  const before = readyMarker(config, options.frozen === true);
  if (before) {
    damage = options.deep ? await deepDamage(config, env) : undefined;
    // Failed imports are checked again (a build directory on `paths` may exist now). A
    // run killed after its last marker write left its lock or the old venv: cleared below.
    if (!damage && before.imports.ok && !(await deadRunLeftovers(config.venv))) {
      return resultFromMarker(before, false);
    }
  }
  if (options.locked) await ensureLockCurrent(config, options);

  const lockPath = `${config.venv}.lock`;
  const shownVenv = display(config.venv);
  const envLock = await acquireEnvLock(lockPath, {
    timeoutSeconds: config.lockTimeout,
    display,
    onWait: (holder) => {
      const message = `waiting for onevenv (${describeHolder(holder)}) to finish with ${shownVenv} (lock ${display(lockPath)})`;
      (hooks.onWait ?? log.info)(message);
    },
  });
  try {
    const done = readyMarker(config, options.frozen === true);
    if (done) {
      damage = options.deep ? await deepDamage(config, env) : undefined;
      if (!damage) {
        for (const trash of await removeTrash(config.venv)) log.debug(`removed ${trash}`);
        return done.imports.ok
          ? resultFromMarker(done, false)
          : await revalidate(config, done, env);
      }
    }
    return await changeEnvironment(config, options, env, envLock, damage);
  } finally {
    await envLock.release();
  }
}

async function changeEnvironment(
  config: OnevenvConfig,
  options: SyncOptions,
  env: NodeJS.ProcessEnv,
  envLock: EnvLock,
  damage: string | undefined,
): Promise<SyncResult> {
  const started = Date.now();
  const display = displayPath(config);
  const shownVenv = display(config.venv);
  const runner: StepRunner = {
    async run(command, args, runOptions) {
      checkInterrupted();
      const childEnv = { ...(runOptions?.env ?? env), [LOCK_TOKEN_VARIABLE]: envLock.token };
      const running = runProcess(command, args, { cwd: config.root, env: childEnv });
      // Recorded while the child runs, and awaited after it: a rejection of `running`
      // (Ctrl-C) must find its handler attached at once.
      const recorded = envLock.recordChildren(activeChildPids()).catch(() => {});
      try {
        return await running;
      } finally {
        await recorded;
        await envLock.recordChildren(activeChildPids());
      }
    },
  };

  // Refuse a foreign directory before anything (the lock included) is changed.
  const refusal = refuseVenvDir(await inspectVenvDir(config.venv), shownVenv);
  if (refusal) throw refusal;

  const backend = chooseBackend(config, env);
  const uv = findUv(env);
  // The interpreter is found before the lock is touched: no Python that fits → exit 2
  // with nothing changed.
  const plan = await planVenv(config, backend, options, env, damage);
  const { interpreter } = plan;
  if (
    plan.action !== 'update' &&
    backend === 'pip' &&
    !interpreter.ensurepip &&
    !pipCanTarget(interpreter.pip) &&
    !uv
  ) {
    throw missingEnsurepip(interpreter);
  }
  const lockState = await ensureLockCurrent(config, options);
  const lockText = await readLockText(config);
  const lock = parseLockFile(lockText);
  checkLock(config, lockText);

  for (const trash of await removeTrash(config.venv)) log.debug(`removed ${trash}`);
  await removeMarkerTemps(config.venv);
  checkInterrupted();

  const marker = baseMarker(config, backend, interpreter, lockState);
  let trash: string | undefined;

  if (plan.action === 'update') {
    await writeMarker(config.venv, marker);
    log.step(`Updating ${shownVenv} (Python ${interpreter.version})`);
  } else {
    if (plan.action === 'rebuild') {
      log.step(`Rebuilding ${shownVenv}: ${plan.reason}`);
      // Mark the old venv first: its trash is then recognisably ours to delete.
      await writeMarker(config.venv, { ...marker, venv: config.venv });
      trash = await moveVenvAside(config.venv);
    } else {
      log.step(`Creating ${shownVenv}`);
    }
    log.step(`Using Python ${interpreter.version} (${interpreter.path})`);
    await fs.mkdir(config.venv, { recursive: true });
    await writeMarker(config.venv, marker);
    await createVenv({
      backend,
      uv,
      interpreter,
      venv: config.venv,
      cwd: config.root,
      env,
      runner,
    });
    // The identity of the interpreter as the new venv resolves it.
    const real = realPathOrUndefined(venvPython(config.venv));
    if (real && real !== marker.python.real) {
      marker.python.real = real;
      marker.python.identity = fileIdentity(real) ?? '';
    }
  }
  checkInterrupted();

  const editables = config.editable;
  const lockedNames = new Set(lock.packages.map((pkg) => pkg.name));
  log.step(
    `Installing ${lockedNames.size} package${lockedNames.size === 1 ? '' : 's'} from ${display(config.lock)} with ${backend}`,
  );
  const report = await installLocked({
    backend,
    uv,
    venv: config.venv,
    basePython: interpreter.path,
    lock: config.lock,
    editables,
    indexArgs: indexArgs(backend, config, options.env ?? process.env),
    cwd: config.root,
    env,
    runner,
  });
  checkInterrupted();

  for (const dir of config.paths) {
    try {
      await fs.access(dir);
    } catch {
      log.warn(
        `${display(dir)} (tool.onevenv.paths) does not exist yet; it is on sys.path once it does`,
      );
    }
  }
  await writePathsPth(config.venv, config.paths);

  const groups = probeGroups(config);
  const site = await sitePackages(config.venv);
  // uv installs exactly the lock: an import check that passed for the same inputs holds.
  const proofs =
    backend === 'uv' && !options.deep
      ? {
          dir: onevenvCacheDir(options.env ?? process.env),
          key: proofKey({
            lockText,
            python: marker.python,
            groups,
            editables,
            paths: config.paths,
            root: config.root,
          }),
        }
      : undefined;
  const proof = proofs?.key ? readProof(proofs.dir, proofs.key) : undefined;
  if (proof && countDistributions(site) === proof.packages) {
    log.debug(`the imports of these inputs passed before (proof ${proofs!.key!.slice(0, 12)})`);
    return await finishEnvironment(config, marker, site, proof.packages, [], trash, started);
  }

  let probe = await probeVenv(venvPython(config.venv), groups, { env });
  if (backend === 'pip') {
    const editableReal = new Set(editables.map((dir) => realPathOrUndefined(dir) ?? dir));
    const extraneous = probe.installed
      .filter(
        (dist) =>
          dist.name !== 'pip' &&
          !lockedNames.has(dist.name) &&
          !(dist.editable && editableReal.has(dist.editable)),
      )
      .map((dist) => dist.name);
    if (extraneous.length > 0) {
      log.step(`Removing ${extraneous.length} not in the lock: ${extraneous.join(', ')}`);
      report.removed.push(...extraneous);
      await uninstallExtraneous(
        { venv: config.venv, basePython: interpreter.path, env, runner },
        extraneous,
      );
      probe = await probeVenv(venvPython(config.venv), groups, { env });
    }
  }
  checkInterrupted();

  const packages = probe.installed.filter(
    (dist) => !(dist.name === 'pip' && backend === 'pip' && !lockedNames.has('pip')),
  ).length;
  if (proofs?.key && probe.failures.length === 0) {
    await writeProof(proofs.dir, proofs.key, {
      format: PROOF_FORMAT,
      packages,
      groups: probe.groups,
      provedAt: new Date().toISOString(),
    });
  }
  return await finishEnvironment(config, marker, site, packages, probe.failures, trash, started);
}

/** Marks the venv ready (last write of a sync) and removes the venv it replaced. */
async function finishEnvironment(
  config: OnevenvConfig,
  marker: Marker,
  site: string,
  packages: number,
  failed: ImportFailure[],
  trash: string | undefined,
  started: number,
): Promise<SyncResult> {
  // Python creates site-packages/__pycache__ at the first import of a single-file module
  // (six, typing_extensions): made now, it cannot change the identity recorded below and
  // make the venv read as changed by hand. python/setup.sh does the same.
  await fs.mkdir(path.join(site, '__pycache__'), { recursive: true });
  const ready: Marker = {
    ...marker,
    state: 'ready',
    site: { path: site, identity: dirIdentity(site) ?? '' },
    packages,
    imports: { ok: failed.length === 0, failed },
    updatedAt: new Date().toISOString(),
  };
  ready.fingerprint = fingerprintOf(ready);
  await writeMarker(config.venv, ready);
  if (trash) await removeVenvDir(trash);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log.step(
    `${displayPath(config)(config.venv)} ready: Python ${marker.python.version}, ${packages} package${packages === 1 ? '' : 's'} (${marker.installer}, ${seconds}s)`,
  );
  return resultFromMarker(ready, true);
}

/** Installed distributions, as importlib.metadata lists them: one metadata directory each. */
function countDistributions(site: string): number | undefined {
  try {
    return readdirSync(site).filter(
      (name) => name.endsWith('.dist-info') || name.endsWith('.egg-info'),
    ).length;
  } catch {
    return undefined;
  }
}

/** `onevenv sync` from a directory: find the repository, read the declaration, sync. */
export async function syncInRepo(
  cwd: string,
  options: SyncOptions,
  hooks: SyncHooks = {},
): Promise<{ root: string; config: OnevenvConfig; result: SyncResult }> {
  const root = canonicalRoot(requireRepoRoot(cwd));
  const config = await loadConfig(root);
  const result = await syncEnvironment(config, options, hooks);
  return { root, config, result };
}
