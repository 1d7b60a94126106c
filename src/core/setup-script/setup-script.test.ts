import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEditablePackage } from '../../../test/helpers/editable.js';
import { hermeticEnv, writeLock } from '../../../test/helpers/locked-repo.js';
import {
  copyOfPython,
  type PythonCopy,
  pythonPrefixes,
  realSystemPython,
} from '../../../test/helpers/python-install.js';
import { makeRepo, runCli, type TempRepo } from '../../../test/helpers/repo.js';
import {
  importAll,
  installedPins,
  leftoversBesideVenv,
  lockedPins,
} from '../../../test/helpers/venv-checks.js';
import { wheelhouseDir } from '../../../test/helpers/wheelhouse.js';
import { loadConfig } from '../config.js';
import { findUv } from '../tools.js';
import { generateSetupScript } from './generate.js';

/**
 * python/setup.sh as users run it: a real sh, a PATH holding only python3 (no node, and
 * uv only where the test puts it), real pip and uv against the hermetic wheelhouse, and
 * the built onevenv CLI checking that both sides agree about the venv.
 */

const MARKER = 'python/.venv/.onevenv-state.json';

function declaration(installer: string, groups: string[], tool: string[] = []): string {
  return [
    '[project]',
    'name = "bootstrap"',
    'version = "0"',
    'requires-python = ">=3.10"',
    '',
    '[dependency-groups]',
    ...groups,
    '',
    '[tool.onevenv]',
    `installer = "${installer}"`,
    ...tool,
    '',
  ].join('\n');
}

/** Generates python/setup.sh the way adopt writes it (executable). */
async function writeSetupScript(repo: TempRepo): Promise<string> {
  const file = path.join(repo.root, 'python/setup.sh');
  await fs.writeFile(file, generateSetupScript(await loadConfig(repo.root)), { mode: 0o755 });
  return file;
}

/** A directory for PATH holding exactly the given tools (name → target). */
async function binDir(tools: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-bin-'));
  for (const [name, target] of Object.entries(tools)) {
    await fs.symlink(target, path.join(dir, name));
  }
  return dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the script with nothing from the test's environment but HOME and the wheelhouse. */
function runSetup(
  command: string[],
  options: { cwd: string; bin: string; env?: NodeJS.ProcessEnv },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: options.cwd,
      env: { HOME: os.homedir(), PATH: options.bin, ...(options.env ?? hermeticEnv()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Started {
  pid: number;
  done: Promise<Run>;
  /** Resolves once stderr holds `text`. */
  waitFor(text: string): Promise<void>;
}

/** Starts the script in its own process group (as a terminal would), without waiting. */
function startSetup(command: string[], options: { cwd: string; bin: string }): Started {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: options.cwd,
    env: { HOME: os.homedir(), PATH: options.bin, ...hermeticEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of waiters.filter((w) => stderr.includes(w.text))) waiter.resolve();
  });
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    pid: child.pid!,
    done,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        if (stderr.includes(text)) return resolve();
        waiters.push({ text, resolve });
        done.then((run) => reject(new Error(`exited before "${text}":\n${run.stderr}`)));
      }),
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The run's stderr with durations blanked ("(pip, 12.3s)" → "(pip, Ns)"). */
function lines(run: Run): string[] {
  return run.stderr
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(/, \d+\.\d+s\)$/, ', Ns)'));
}

async function status(repo: TempRepo) {
  const result = await runCli(['status', '--json'], { cwd: repo.root, env: hermeticEnv() });
  return { code: result.code, json: JSON.parse(result.stdout) as Record<string, unknown> };
}

async function syncJson(repo: TempRepo) {
  const result = await runCli(['sync', '--json'], { cwd: repo.root, env: hermeticEnv() });
  return { code: result.code, json: JSON.parse(result.stdout) as Record<string, unknown> };
}

const python = realSystemPython();
let pythonVersion = '';
beforeAll(async () => {
  const { execFileSync } = await import('node:child_process');
  pythonVersion = execFileSync(
    python,
    ['-c', 'import platform; print(platform.python_version())'],
    {
      encoding: 'utf8',
    },
  ).trim();
});

const HOSTILE_PATH = 'build/odd \'q\' "d" $(touch canary) `touch canary2` $HOME';

describe('pip: a PATH with only python3, in a repository whose path has quotes, $ and backquotes', () => {
  let repo: TempRepo;
  let bin: string;
  let script: string;
  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': declaration(
          'auto',
          ['trace = ["tiny-sitter-cpp>=0.22"]', 'tools = ["beta", "twomods"]'],
          [
            'editable = ["../replay"]',
            `paths = ["../build/mods", ${JSON.stringify(`../${HOSTILE_PATH}`)}]`,
          ],
        ),
        'build/mods/native_mod.py': 'X = 42\n',
      },
      { git: true, prefix: 'onevenv setup \'q\' "d" $x `b` ' },
    );
    await writeEditablePackage(repo, 'replay', { name: 'replay' });
    await writeLock(repo.root, { extra: ['alpha>=1'] });
    script = await writeSetupScript(repo);
    bin = await binDir({ python3: python });
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(bin, { recursive: true, force: true });
  });

  it('builds the venv from any directory; every group imports; onevenv agrees it is ready', async () => {
    const run = await runSetup([script], { cwd: os.tmpdir(), bin });
    const setuptools = Number(pythonVersion.split('.')[1]) < 12;
    expect({ code: run.code, stdout: run.stdout, stderr: lines(run) }).toEqual({
      code: 0,
      stdout: '',
      stderr: [
        'Creating python/.venv',
        `Using Python ${pythonVersion} (${bin}/python3)`,
        'Installing 5 packages from python/requirements.txt with pip',
        `warning ${HOSTILE_PATH} (tool.onevenv.paths) does not exist yet; it is on sys.path once it does`,
        ...(setuptools ? ['Removing 1 not in the lock: setuptools'] : []),
        `python/.venv ready: Python ${pythonVersion}, 6 packages (pip, Ns)`,
      ],
    });
    expect(installedPins(repo.root)).toEqual(
      [...(await lockedPins(repo.root)), 'replay==0.1.0'].sort(),
    );
    expect(
      importAll(repo.root, [
        'tiny_sitter_cpp',
        'beta',
        'twomods_a',
        'twomods_b',
        'replay',
        'native_mod',
      ]),
    ).toEqual([]);
    const site = `lib/python${pythonVersion.split('.').slice(0, 2).join('.')}/site-packages`;
    expect(await repo.read(`python/.venv/${site}/_onevenv_paths.pth`)).toBe(
      `${path.join(repo.root, 'build/mods')}\n${path.join(repo.root, HOSTILE_PATH)}\n`,
    );
    expect(await repo.exists('canary')).toBe(false);
    expect(await repo.exists('python/canary')).toBe(false);

    const ready = await status(repo);
    expect(ready.code).toBe(0);
    expect(ready.json).toMatchObject({ state: 'ready', reasons: [], installer: 'pip' });
    expect(await syncJson(repo)).toEqual({
      code: 0,
      json: {
        changed: false,
        venv: path.join(repo.root, 'python/.venv'),
        python: path.join(repo.root, 'python/.venv/bin/python'),
        pythonVersion,
        installer: 'pip',
        packages: 6,
        imports: { ok: true, failed: [] },
      },
    });
    expect(await leftoversBesideVenv(repo.root)).toEqual([]);
  });

  it('a re-run changes nothing, under dash, bash and from inside python/', async () => {
    const marker = await repo.read(MARKER);
    const upToDate = [`python/.venv is up to date (Python ${pythonVersion}, 6 packages)`];
    for (const [command, cwd] of [
      [[script], repo.root],
      [['/bin/bash', script], os.tmpdir()],
      [['/bin/sh', 'setup.sh'], path.join(repo.root, 'python')],
      [['./setup.sh'], path.join(repo.root, 'python')],
    ] as const) {
      const run = await runSetup([...command], { cwd, bin });
      expect({ command, code: run.code, stderr: lines(run) }).toEqual({
        command,
        code: 0,
        stderr: upToDate,
      });
    }
    expect(await repo.read(MARKER)).toBe(marker);
  });

  it('a stale lock is refused (exit 1, nothing changed); --frozen installs it as it is', async () => {
    const lock = await repo.read('python/requirements.txt');
    const marker = await repo.read(MARKER);
    const stale = lock.replace(
      /^# fingerprint: sha256:\w+$/m,
      `# fingerprint: sha256:${'0'.repeat(64)}`,
    );
    expect(stale).not.toBe(lock);
    await repo.write('python/requirements.txt', stale);
    const refused = await runSetup([script], { cwd: repo.root, bin });
    expect({ code: refused.code, stderr: lines(refused) }).toEqual({
      code: 1,
      stderr: [
        "error python/requirements.txt: the lock is stale: python/pyproject.toml (or an editable package's pyproject.toml) changed since python/requirements.txt was generated (run npx onevenv lock (or npx onevenv sync, which relocks) and commit the result; python/setup.sh --frozen installs the lock as it is)",
      ],
    });
    expect(await repo.read(MARKER)).toBe(marker);

    const frozen = await runSetup([script, '--frozen'], { cwd: repo.root, bin });
    expect(lines(frozen)).toEqual([
      `Updating python/.venv (Python ${pythonVersion})`,
      'Installing 5 packages from python/requirements.txt with pip',
      `warning ${HOSTILE_PATH} (tool.onevenv.paths) does not exist yet; it is on sys.path once it does`,
      `python/.venv ready: Python ${pythonVersion}, 6 packages (pip, Ns)`,
    ]);
    expect(frozen.code).toBe(0);
    const after = await status(repo);
    expect(after.json.reasons).toContain(
      'the lock was installed with --frozen, without checking it is current',
    );
    await repo.write('python/requirements.txt', lock);
  });

  it('after onevenv sync rebuilds the venv, setup.sh has nothing to do', async () => {
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
    const sync = await runCli(['sync', '--json'], { cwd: repo.root, env: hermeticEnv() });
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ changed: true });
    const marker = await repo.read(MARKER);
    const installer = (JSON.parse(marker) as { installer: string }).installer;
    const run = await runSetup([script], { cwd: repo.root, bin });
    expect({ code: run.code, stderr: lines(run) }).toEqual({
      code: 0,
      stderr: [`python/.venv is up to date (Python ${pythonVersion}, 6 packages)`],
    });
    expect(await repo.read(MARKER)).toBe(marker);
    expect(installer).toBe(findUv() ? 'uv' : 'pip');
  });

  it('--clean builds it again from scratch; onevenv sync started meanwhile waits, then has nothing to do', async () => {
    const before = await fs.stat(path.join(repo.root, 'python/.venv/pyvenv.cfg'));
    const clean = startSetup([script, '--clean'], { cwd: repo.root, bin });
    await clean.waitFor('Installing');
    const sync = await runCli(['sync', '--json'], { cwd: repo.root, env: hermeticEnv() });
    const run = await clean.done;
    expect(run.code).toBe(0);
    expect(lines(run).slice(0, 2)).toEqual([
      'Rebuilding python/.venv: --clean',
      `Using Python ${pythonVersion} (${bin}/python3)`,
    ]);
    expect(sync.stderr).toBe(
      `waiting for onevenv (pid ${clean.pid}) to finish with python/.venv (lock python/.venv.lock)\n`,
    );
    expect({ code: sync.code, json: JSON.parse(sync.stdout) }).toMatchObject({
      code: 0,
      json: { changed: false, installer: 'pip', packages: 6 },
    });
    const after = await fs.stat(path.join(repo.root, 'python/.venv/pyvenv.cfg'));
    expect(after.ino).not.toBe(before.ino);
    expect((await status(repo)).json).toMatchObject({ state: 'ready', installer: 'pip' });
    expect(await leftoversBesideVenv(repo.root)).toEqual([]);
  });

  it('Ctrl-C mid-install: exit 130, no process left, never ready; the next run finishes the job', async () => {
    const started = startSetup([script, '--clean'], { cwd: repo.root, bin });
    await started.waitFor('Installing');
    process.kill(-started.pid, 'SIGINT');
    const run = await started.done;
    expect({ code: run.code, last: lines(run).pop() }).toEqual({
      code: 130,
      last: 'interrupted; run python/setup.sh again to finish',
    });
    expect(groupAlive(started.pid)).toBe(false);
    // Nothing the script started runs on (its installers run in process groups of their own).
    const { execFileSync } = await import('node:child_process');
    const running = execFileSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(repo.root) && !line.trimStart().startsWith('Z'));
    expect(running).toEqual([]);
    const interrupted = await status(repo);
    expect(interrupted.json.state).toBe('stale');
    expect(interrupted.json.reasons).toContain('a sync did not finish (interrupted or failed)');
    expect(await repo.exists('python/.venv.lock')).toBe(false);

    const again = await runSetup([script], { cwd: repo.root, bin });
    expect({ code: again.code, first: lines(again)[0] }).toEqual({
      code: 0,
      first: 'Rebuilding python/.venv: the previous sync did not finish',
    });
    expect((await status(repo)).json).toMatchObject({ state: 'ready', reasons: [] });
    expect(await leftoversBesideVenv(repo.root)).toEqual([]);
  });
});

describe('uv on PATH', () => {
  let repo: TempRepo;
  let bin: string;
  let script: string;
  let uvLog: string;
  let copies: string;
  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': declaration('auto', [
          'trace = ["tiny-sitter-cpp>=0.22"]',
          'tools = ["beta", "twomods"]',
          'bad = ["broken-import"]',
        ]),
      },
      { git: true },
    );
    await writeLock(repo.root);
    script = await writeSetupScript(repo);
    const uv = findUv();
    if (!uv) throw new Error('these tests need uv on PATH');
    bin = await binDir({ python3: python });
    uvLog = path.join(bin, 'uv.log');
    // uv through a wrapper that records each call: proves when uv was (not) started.
    await fs.writeFile(
      path.join(bin, 'uv'),
      `#!/bin/sh\nprintf '%s\\n' "$1 $2" >> '${uvLog}'\nexec '${uv}' "$@"\n`,
      { mode: 0o755 },
    );
    copies = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-python-copies-'));
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(bin, { recursive: true, force: true });
    await fs.rm(copies, { recursive: true, force: true });
  });

  const importFailure = [
    'error group bad: import broken_import failed: ImportError: broken_import is broken on purpose',
  ];

  it('builds with uv; an import failure is reported (exit 1) by setup.sh, status and sync alike', async () => {
    const run = await runSetup([script], { cwd: repo.root, bin });
    expect({ code: run.code, stderr: lines(run) }).toEqual({
      code: 1,
      stderr: [
        'Creating python/.venv',
        `Using Python ${pythonVersion} (${bin}/python3)`,
        'Installing 6 packages from python/requirements.txt with uv',
        `python/.venv ready: Python ${pythonVersion}, 6 packages (uv, Ns)`,
        ...importFailure,
      ],
    });
    expect(await fs.readFile(uvLog, 'utf8')).toBe('venv --allow-existing\npip sync\n');
    expect(installedPins(repo.root)).toEqual(await lockedPins(repo.root));
    const failed = [
      {
        group: 'bad',
        module: 'broken_import',
        error: 'ImportError: broken_import is broken on purpose',
      },
    ];
    const ready = await status(repo);
    expect(ready).toMatchObject({
      code: 1,
      json: { state: 'ready', reasons: [], imports: { ok: false, failed } },
    });
    expect(await syncJson(repo)).toMatchObject({
      code: 1,
      json: { changed: false, installer: 'uv', imports: { ok: false, failed } },
    });
  });

  it('a re-run starts neither uv nor pip and says the same', async () => {
    const marker = await repo.read(MARKER);
    const run = await runSetup([script], { cwd: repo.root, bin });
    expect({ code: run.code, stderr: lines(run) }).toEqual({
      code: 1,
      stderr: [
        `python/.venv is up to date (Python ${pythonVersion}, 6 packages)`,
        ...importFailure,
      ],
    });
    expect(await fs.readFile(uvLog, 'utf8')).toBe('venv --allow-existing\npip sync\n');
    expect(await repo.read(MARKER)).toBe(marker);
  });

  it('rebuilds when .python-version asks for another minor, and when the base interpreter vanishes', async () => {
    const minors = [...pythonPrefixes().keys()].filter((m) => Number(m.split('.')[1]) >= 10);
    const other = minors.find((m) => !pythonVersion.startsWith(`${m}.`));
    if (!other) throw new Error('this test needs a second Python 3.10+ (pyenv versions)');
    const copy: PythonCopy = await copyOfPython(path.join(copies, 'other'), { minor: other });
    await fs.symlink(copy.executable, path.join(bin, `python${other}`));
    await repo.write('.python-version', `${other}\n`);

    const switched = await runSetup([script], { cwd: repo.root, bin });
    expect(lines(switched).slice(0, 2)).toEqual([
      `Rebuilding python/.venv: its Python ${pythonVersion} does not match .python-version (${other})`,
      `Using Python ${copy.version} (${bin}/python${other})`,
    ]);
    expect((await status(repo)).json).toMatchObject({
      state: 'ready',
      pythonVersion: copy.version,
    });

    await fs.rm(path.join(copies, 'other'), { recursive: true });
    await fs.rm(path.join(repo.root, '.python-version'));
    const vanished = await runSetup([script], { cwd: repo.root, bin });
    expect(lines(vanished).slice(0, 2)).toEqual([
      `Rebuilding python/.venv: its base interpreter ${bin}/python${other} vanished or moved`,
      `Using Python ${pythonVersion} (${bin}/python3)`,
    ]);
    expect(vanished.code).toBe(1);
    expect((await status(repo)).json).toMatchObject({ state: 'ready', pythonVersion });
    expect(await leftoversBesideVenv(repo.root)).toEqual([]);
  });
});

const olderPythons = [...pythonPrefixes().entries()].filter(
  ([minor]) => Number(minor.split('.')[1]) < 10,
);

describe.skipIf(olderPythons.length === 0)('an old python3 runs the script', () => {
  let repo: TempRepo;
  let bin: string;
  let script: string;
  beforeAll(async () => {
    repo = await makeRepo(
      { 'python/pyproject.toml': declaration('auto', ['tools = ["beta", "twomods"]']) },
      { git: true },
    );
    await writeLock(repo.root);
    script = await writeSetupScript(repo);
    // The oldest Python there is as python3 (it runs the program), a fitting one beside it.
    const [minor, prefix] = olderPythons[0]!;
    const current = pythonVersion.split('.').slice(0, 2).join('.');
    bin = await binDir({
      python3: path.join(prefix, 'bin', `python${minor}`),
      [`python${current}`]: python,
      uv: findUv()!,
    });
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(bin, { recursive: true, force: true });
  });

  it('builds the venv with the Python that fits, and agrees with onevenv', async () => {
    const current = pythonVersion.split('.').slice(0, 2).join('.');
    const run = await runSetup([script], { cwd: repo.root, bin });
    expect({ code: run.code, stderr: lines(run) }).toEqual({
      code: 0,
      stderr: [
        'Creating python/.venv',
        `Using Python ${pythonVersion} (${bin}/python${current})`,
        'Installing 3 packages from python/requirements.txt with uv',
        `python/.venv ready: Python ${pythonVersion}, 3 packages (uv, Ns)`,
      ],
    });
    expect((await status(repo)).json).toMatchObject({ state: 'ready', reasons: [] });
    expect(await syncJson(repo)).toMatchObject({ code: 0, json: { changed: false } });
    const again = await runSetup([script], { cwd: repo.root, bin });
    expect(lines(again)).toEqual([
      `python/.venv is up to date (Python ${pythonVersion}, 3 packages)`,
    ]);
  });
});

describe('package sources from the declaration', () => {
  let repo: TempRepo;
  let bin: string;
  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': declaration(
          'auto',
          ['tools = ["beta"]'],
          [`find-links = [${JSON.stringify(wheelhouseDir())}]`],
        ),
      },
      { git: true },
    );
    await writeLock(repo.root);
    bin = await binDir({ python3: python, uv: findUv()! });
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(bin, { recursive: true, force: true });
  });

  it('find-links in [tool.onevenv] is where packages come from when the environment says nothing', async () => {
    const script = await writeSetupScript(repo);
    // No *_FIND_LINKS: the wheels are only reachable through the declaration.
    const run = await runSetup([script], {
      cwd: repo.root,
      bin,
      env: { UV_NO_INDEX: '1', PIP_NO_INDEX: '1', UV_PYTHON_DOWNLOADS: 'never' },
    });
    expect({ code: run.code, last: lines(run).pop() }).toEqual({
      code: 0,
      last: `python/.venv ready: Python ${pythonVersion}, 2 packages (uv, Ns)`,
    });
    expect(installedPins(repo.root)).toEqual(await lockedPins(repo.root));
    expect((await status(repo)).json).toMatchObject({ state: 'ready', reasons: [] });
  });

  it('an environment lock left by a killed run is taken over', async () => {
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync('true').pid!;
    await repo.write(
      'python/.venv.lock',
      `${JSON.stringify({ pid: dead, host: os.hostname(), token: 'gone', children: [] })}\n`,
    );
    const run = await runSetup([path.join(repo.root, 'python/setup.sh'), '--clean'], {
      cwd: repo.root,
      bin,
      env: { UV_NO_INDEX: '1', PIP_NO_INDEX: '1', UV_PYTHON_DOWNLOADS: 'never' },
    });
    expect({ code: run.code, first: lines(run)[0] }).toEqual({
      code: 0,
      first: 'Rebuilding python/.venv: --clean',
    });
    expect(await leftoversBesideVenv(repo.root)).toEqual([]);
  });
});

describe('what setup.sh refuses', () => {
  let repo: TempRepo;
  let script: string;
  let bin: string;
  let copies: string;
  beforeAll(async () => {
    repo = await makeRepo(
      { 'python/pyproject.toml': declaration('auto', ['tools = ["beta"]']) },
      { git: true },
    );
    await writeLock(repo.root);
    script = await writeSetupScript(repo);
    bin = await binDir({ python3: python });
    copies = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-python-copies-'));
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(bin, { recursive: true, force: true });
    await fs.rm(copies, { recursive: true, force: true });
  });

  it('a directory without pyvenv.cfg at the venv path is left alone, with or without --clean', async () => {
    await repo.write('python/.venv/notes.txt', 'mine\n');
    const before = await repo.snapshot();
    for (const args of [[], ['--clean']]) {
      const run = await runSetup([script, ...args], { cwd: repo.root, bin });
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 2,
        stderr:
          'error python/.venv: python/.venv exists but is not a virtual environment (no pyvenv.cfg); setup.sh will not delete or reuse it (move it away yourself, or set [tool.onevenv] venv to another path)\n',
      });
    }
    expect(await repo.snapshot()).toEqual(before);
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
  });

  it('no ensurepip and no uv: names the package to install, creates nothing', async () => {
    const copy = await copyOfPython(path.join(copies, 'debian'), { withoutEnsurepip: true });
    const debian = await binDir({ python3: copy.executable });
    const before = await repo.snapshot();
    const run = await runSetup([script], { cwd: repo.root, bin: debian });
    const pkg = `python${copy.minor}-venv`;
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: `error ${debian}/python3 (Python ${copy.version}) cannot create a venv with pip: its ensurepip module is missing (install ${pkg} (e.g. sudo apt install ${pkg}), or install uv)\n`,
    });
    expect(await repo.snapshot()).toEqual(before);
    expect(await repo.exists('python/.venv')).toBe(false);

    // The same interpreter with uv beside it: uv makes the venv, no ensurepip needed.
    await fs.symlink(findUv()!, path.join(debian, 'uv'));
    const withUv = await runSetup([script], { cwd: repo.root, bin: debian });
    expect({ code: withUv.code, last: lines(withUv).pop() }).toEqual({
      code: 0,
      last: `python/.venv ready: Python ${copy.version}, 2 packages (uv, Ns)`,
    });
    expect((await status(repo)).json).toMatchObject({ state: 'ready', installer: 'uv' });
    await fs.rm(debian, { recursive: true, force: true });
  });

  const older = olderPythons;
  it.skipIf(older.length === 0)(
    'no Python that fits: lists every interpreter found and why it does not fit',
    async () => {
      // python3 is the newest old Python (asked for its version), python3.X the oldest
      // (rejected by its name alone).
      const [newest, prefix] = older[older.length - 1]!;
      const [oldest, oldestPrefix] = older[0]!;
      const tools: Record<string, string> = {
        python3: path.join(prefix, 'bin', `python${newest}`),
      };
      if (oldest !== newest)
        tools[`python${oldest}`] = path.join(oldestPrefix, 'bin', `python${oldest}`);
      const oldBin = await binDir(tools);
      await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true, force: true });
      const before = await repo.snapshot();
      const run = await runSetup([script], { cwd: repo.root, bin: oldBin });
      const found = [
        ...(oldest !== newest
          ? [`  ${oldBin}/python${oldest} (${oldest}): does not satisfy requires-python >=3.10`]
          : []),
        `  ${oldBin}/python3 (${path.basename(prefix)}): does not satisfy requires-python >=3.10`,
      ];
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 2,
        stderr: [
          `error python/pyproject.toml:4: no Python interpreter satisfies requires-python >=3.10 (install a matching Python (pyenv install, your package manager, or uv) and run again); found ${found.length}:`,
          ...found,
          '',
        ].join('\n'),
      });
      expect(await repo.snapshot()).toEqual(before);
      await fs.rm(oldBin, { recursive: true, force: true });
    },
  );

  it('a declaration edited since the script was generated: says to regenerate it', async () => {
    const text = await repo.read('python/pyproject.toml');
    await repo.write('python/pyproject.toml', `${text}# edited\n`);
    const run = await runSetup([script], { cwd: repo.root, bin });
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 2,
      stderr:
        'error python/pyproject.toml: python/setup.sh was generated from another version of python/pyproject.toml (regenerate it with npx onevenv adopt --write, or build the venv with npx onevenv sync)\n',
    });
    await repo.write('python/pyproject.toml', text);
  });

  it('unknown options and --help need no Python at all', async () => {
    const empty = await binDir({});
    const help = await runSetup(['/bin/sh', script, '--help'], { cwd: repo.root, bin: empty });
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe(
      'Usage: python/setup.sh [--clean] [--frozen] [--verbose]',
    );
    const bad = await runSetup(['/bin/sh', script, '--bogus'], { cwd: repo.root, bin: empty });
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error unknown option --bogus (see python/setup.sh --help)\n',
    });
    const none = await runSetup(['/bin/sh', script], { cwd: repo.root, bin: empty });
    expect(none).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error python/setup.sh needs python3 on PATH (install Python 3 with your package manager, e.g. apt install python3)\n',
    });
    await fs.rm(empty, { recursive: true, force: true });
  });
});

describe('no Python that fits: setup.sh names the file, line and request that onevenv sync names', () => {
  const fix =
    'install a matching Python (pyenv install, your package manager, or uv) and run again';
  const project = ['[project]', 'name = "bootstrap"', 'version = "0"'];
  const cases: Array<{
    name: string;
    files: Record<string, string>;
    error: string;
    reason: string;
  }> = [
    {
      name: 'a pin in python/.python-version turns every interpreter away: its line',
      files: {
        'python/pyproject.toml': `${[...project, 'requires-python = ">=3.10"'].join('\n')}\n`,
        'python/.python-version': "# the team's Python\n3.4\n",
      },
      error:
        'python/.python-version:2: no Python interpreter satisfies requires-python >=3.10 and python/.python-version 3.4',
      reason: 'does not match .python-version (3.4)',
    },
    {
      name: 'a pin in the root .python-version and no requires-python: the pin',
      files: {
        'python/pyproject.toml': `${project.join('\n')}\n`,
        '.python-version': '3.4\n',
      },
      error: '.python-version:1: no Python interpreter satisfies .python-version 3.4',
      reason: 'does not match .python-version (3.4)',
    },
    {
      name: 'requires-python turns every interpreter away before the pin does: requires-python',
      files: {
        'python/pyproject.toml': `${[...project, 'requires-python = ">=3.99"'].join('\n')}\n`,
        'python/.python-version': 'PIN\n',
      },
      error:
        'python/pyproject.toml:4: no Python interpreter satisfies requires-python >=3.99 and python/.python-version PIN',
      reason: 'does not satisfy requires-python >=3.99',
    },
    {
      name: 'requires-python alone: its line',
      files: {
        'python/pyproject.toml': `${[...project, '', 'requires-python = ">=3.99"'].join('\n')}\n`,
      },
      error: 'python/pyproject.toml:5: no Python interpreter satisfies requires-python >=3.99',
      reason: 'does not satisfy requires-python >=3.99',
    },
  ];
  let bin: string;
  beforeAll(async () => {
    bin = await binDir({ python3: python });
  });
  afterAll(async () => {
    await fs.rm(bin, { recursive: true, force: true });
  });

  it.each(cases)('$name', async ({ files, error, reason }) => {
    // The running Python's own minor as the pin requires-python rejects first.
    const minor = pythonVersion.split('.').slice(0, 2).join('.');
    const pinned = Object.fromEntries(
      Object.entries(files).map(([file, text]) => [file, text.replace('PIN', minor)]),
    );
    const repo = await makeRepo(pinned, { git: true });
    try {
      const script = await writeSetupScript(repo);
      const before = await repo.snapshot();
      const run = await runSetup([script], { cwd: repo.root, bin });
      const expected = error.replace('PIN', minor);
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 2,
        stderr: `error ${expected} (${fix}); found 1:\n  ${bin}/python3 (${pythonVersion}): ${reason}\n`,
      });
      expect(await repo.snapshot()).toEqual(before);

      // onevenv sync may find more interpreters (pyenv's), so its list differs; the line
      // to act on does not.
      const sync = await runCli(['sync'], {
        cwd: repo.root,
        env: { ...hermeticEnv(), PATH: bin, ONEVENV_UV: '' },
      });
      const upToList = (text: string) => text.split('\n')[0]!.replace(/; found .*$/, '');
      expect({ code: sync.code, line: upToList(sync.stderr) }).toEqual({
        code: 2,
        line: upToList(run.stderr),
      });
    } finally {
      await repo.cleanup();
    }
  });
});

describe('uv: the editables build once, the lock installs offline when it can', () => {
  let repo: TempRepo;
  let bin: string;
  let builds: string;
  let uvCache: string;
  let script: string;
  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': declaration(
          'uv',
          ['dev = ["alpha>=1,<2"]'],
          ['editable = ["../counted"]'],
        ),
      },
      { name: 'repo' },
    );
    builds = path.join(repo.root, '..', 'builds.log');
    uvCache = path.join(repo.root, '..', 'uv-cache');
    await writeEditablePackage(repo, 'counted', { name: 'counted' });
    // The backend notes each editable build it makes.
    await repo.write(
      'counted/pyproject.toml',
      '[build-system]\nrequires = []\nbuild-backend = "counting_backend"\nbackend-path = ["."]\n',
    );
    await repo.write(
      'counted/counting_backend.py',
      [
        'from tiny_backend import *  # noqa: F401,F403',
        'import tiny_backend',
        '',
        'def build_editable(*args, **kwargs):',
        `    open(${JSON.stringify(builds)}, "a").write("built\\n")`,
        '    return tiny_backend.build_editable(*args, **kwargs)',
        '',
      ].join('\n'),
    );
    await writeLock(repo.root);
    script = await writeSetupScript(repo);
    const uv = findUv();
    if (!uv) throw new Error('these tests need uv on PATH');
    bin = await binDir({ python3: python, uv });
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(bin, { recursive: true, force: true });
  });

  it("a venv built again takes the editable from uv's cache instead of building it again", async () => {
    const env = { ...hermeticEnv(), UV_CACHE_DIR: uvCache };
    const first = await runSetup([script], { cwd: repo.root, bin, env });
    expect(first.stderr).toMatch(/python\/\.venv ready: /);
    expect(first.code).toBe(0);
    expect(await fs.readFile(builds, 'utf8')).toBe('built\n');
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
    const second = await runSetup([script], { cwd: repo.root, bin, env });
    expect(second.code).toBe(0);
    expect(await fs.readFile(builds, 'utf8')).toBe('built\n');
    expect(importAll(repo.root, ['counted'])).toEqual([]);
  });
});
