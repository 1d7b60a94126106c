import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { generateSetupScript } from '../../src/core/setup-script/generate.js';
import { runProcess } from '../../src/util/exec.js';
import { hermeticEnv, writeLock } from '../helpers/locked-repo.js';
import { backendDir } from '../helpers/python-packages.js';
import { makeRepo, runCli, type TempRepo } from '../helpers/repo.js';
import { installedPins } from '../helpers/venv-checks.js';
import { type LocalIndex, startLocalIndex } from './local-index.js';
import { report, status } from './support.js';

/**
 * Issue acceptance, security: a tampered hash stops sync before anything is installed;
 * configuration values that carry shell syntax are never executed by sync, lock, adopt or
 * the generated python/setup.sh (canary files); no `--extra-index-url` is ever produced;
 * credentials in index URLs never appear in any output or file.
 */

const counts = { tampered: 0, canaryRuns: 0, uvInvocations: 0, redactionRuns: 0 };
afterAll(() => report('security', counts));

/** Every file under `dir` (relative paths), for "no canary anywhere". */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(current: string) {
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(path.relative(dir, full));
    }
  }
  await walk(dir);
  return out;
}

/** A `uv` that records each argument vector, then runs the real one. */
async function recordingUv(dir: string): Promise<{ uv: string; log: string }> {
  const real = execFileSync('sh', ['-c', 'command -v uv'], { encoding: 'utf8' }).trim();
  const log = path.join(dir, 'uv-argv.log');
  const uv = path.join(dir, 'uv');
  await fs.writeFile(
    uv,
    `#!/bin/sh\n{ printf '%s\\0' "$@"; printf '\\n'; } >> '${log}'\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  await fs.writeFile(log, '');
  return { uv, log };
}

async function uvCalls(log: string): Promise<string[][]> {
  const text = await fs.readFile(log, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\0').slice(0, -1));
}

async function tinyPackage(repo: TempRepo, dir: string, name: string): Promise<void> {
  await repo.write(
    `${dir}/pyproject.toml`,
    `[build-system]\nrequires = []\nbuild-backend = "tiny_backend"\nbackend-path = ["."]\n\n[project]\nname = "${name}"\nversion = "0.1.0"\ndependencies = ["alpha"]\n`,
  );
  await repo.write(
    `${dir}/tiny_backend.py`,
    await fs.readFile(path.join(backendDir, 'tiny_backend.py'), 'utf8'),
  );
  await repo.write(
    `${dir}/tiny-package.json`,
    JSON.stringify({ name, version: '0.1.0', requires: ['alpha'] }),
  );
  await repo.write(`${dir}/src/${name.replace(/-/g, '_')}/__init__.py`, 'import alpha\n');
}

describe.each(['uv', 'pip'] as const)('%s: a tampered hash in the lock', (installer) => {
  let repo: TempRepo;
  const declaration = [
    '[project]',
    'name = "tamper"',
    'version = "0"',
    'requires-python = ">=3.10"',
    '[dependency-groups]',
    'tools = ["alpha", "twomods", "many"]',
    '[tool.onevenv]',
    `installer = "${installer}"`,
    '',
  ].join('\n');
  beforeAll(async () => {
    repo = await makeRepo({ 'python/pyproject.toml': declaration }, { git: true });
  });
  afterAll(() => repo.cleanup());

  /** The lock with one package's hash changed (still a well-formed sha256). */
  async function tamper(name: string): Promise<void> {
    const text = await repo.read('python/requirements.txt');
    const at = text.indexOf(`\n${name}==`);
    const hash = /--hash=sha256:([0-9a-f]{64})/.exec(text.slice(at))!;
    const flipped = hash[1]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const start = at + hash.index + '--hash=sha256:'.length;
    await repo.write(
      'python/requirements.txt',
      text.slice(0, start) + flipped + text.slice(start + 64),
    );
  }

  it('cold: exit 2 naming the hash mismatch, nothing installed', async () => {
    await writeLock(repo.root);
    await tamper('filler-07');
    const result = await runCli(['sync'], { cwd: repo.root, env: hermeticEnv() });
    const last = result.stderr.trimEnd().split('\n').at(-1) ?? '';
    expect([result.code, last]).toEqual([
      2,
      expect.stringMatching(
        installer === 'uv'
          ? /^error uv pip sync failed \(exit 1\): .*[Hh]ash mismatch.*filler/
          : /^error pip install failed \(exit 1\): .*DO NOT MATCH THE HASHES.*filler-07==1\.0\.0/,
      ),
    ]);
    expect(installedPins(repo.root)).toEqual([]);
    expect((await status(repo.root)).state).not.toBe('ready');
    counts.tampered++;
  });

  it('from a ready venv: a new pin with a tampered hash changes no installed file', async () => {
    await writeLock(repo.root);
    const first = await runCli(['sync'], { cwd: repo.root, env: hermeticEnv() });
    expect(first.code).toBe(0);
    const pins = installedPins(repo.root);
    expect(pins).toContain('alpha==2.0.0');
    const venvFiles = async () =>
      (await filesUnder(path.join(repo.root, 'python/.venv')))
        .filter((f) => !f.startsWith('.onevenv-state.json') && !f.includes('__pycache__'))
        .sort();
    const before = await venvFiles();
    // Downgrade alpha in the lock, with a hash that does not match the wheel.
    await writeLock(repo.root, { requirements: ['alpha==1.0.0', 'twomods', 'many'] });
    await tamper('alpha');
    const result = await runCli(['sync'], { cwd: repo.root, env: hermeticEnv() });
    expect([result.code, result.stderr]).toEqual([2, expect.stringMatching(/hash/i)]);
    expect(installedPins(repo.root)).toEqual(pins);
    expect(await venvFiles()).toEqual(before);
    expect((await status(repo.root)).state).toBe('stale');
    counts.tampered++;
  });
});

describe('shell metacharacters in configuration are never executed', () => {
  let scratch: string;
  let canaries: string;
  let uv: { uv: string; log: string };
  const payloads = (tag: string) => [
    `$(touch ${canaries}/${tag}-dollar)`,
    `\`touch ${canaries}/${tag}-backtick\``,
    `x; touch ${canaries}/${tag}-semicolon #`,
    `x' && touch ${canaries}/${tag}-quote && echo '`,
    `x" && touch ${canaries}/${tag}-dquote && echo "`,
  ];
  beforeAll(async () => {
    scratch = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-canary-')));
    canaries = path.join(scratch, 'canaries');
    await fs.mkdir(canaries);
    uv = await recordingUv(scratch);
  });
  afterAll(() => fs.rm(scratch, { recursive: true, force: true }));

  async function expectNoCanary(repo: TempRepo): Promise<void> {
    expect(await fs.readdir(canaries)).toEqual([]);
    const planted = (await filesUnder(repo.root)).filter((f) =>
      path.basename(f).startsWith('canary-'),
    );
    expect(planted).toEqual([]);
    const strays = (await fs.readdir(os.tmpdir())).filter((f) => f.startsWith('canary-'));
    expect(strays).toEqual([]);
  }

  it('the payloads are live: a shell that evaluates them creates every canary', async () => {
    const all = payloads('live');
    for (const payload of all) {
      await runProcess('sh', ['-c', `echo ${payload}`], { cwd: scratch });
      await runProcess('sh', ['-c', `echo "${payload}"`], { cwd: scratch });
      await runProcess('sh', ['-c', `echo '${payload}'`], { cwd: scratch });
    }
    expect((await fs.readdir(canaries)).sort()).toEqual(
      ['backtick', 'dollar', 'dquote', 'quote', 'semicolon'].map((k) => `live-${k}`),
    );
    for (const file of await fs.readdir(canaries)) await fs.rm(path.join(canaries, file));
  });

  it('through lock, sync, python/setup.sh and run', async () => {
    // An editable package in a directory whose name is shell syntax (no '/' allowed in a
    // name: the canary is relative, and looked for everywhere under the repository).
    const editableDir = 'pkg $(touch canary-e1) `touch canary-e2`; touch canary-e3';
    const paths = payloads('paths').map((p) => `../build/${p}`);
    const marker = `python_version >= "3" and platform_release != "$(touch ${canaries}/marker)"`;
    const declaration = [
      '[project]',
      'name = "canary"',
      'version = "0"',
      'requires-python = ">=3.10"',
      '',
      '[dependency-groups]',
      `tools = ["alpha", ${JSON.stringify(`twomods ; ${marker}`)}]`,
      '',
      '[tool.onevenv]',
      'installer = "uv"',
      `editable = [${JSON.stringify(`../${editableDir}`)}]`,
      `paths = [${paths.map((p) => JSON.stringify(p)).join(', ')}]`,
      '',
    ].join('\n');
    const repo = await makeRepo({ 'python/pyproject.toml': declaration }, { git: true });
    try {
      await tinyPackage(repo, editableDir, 'canary-pkg');
      // setup.sh exists, so lock regenerates it with the values above.
      await repo.write('python/setup.sh', generateSetupScript(await loadConfig(repo.root)));
      const env = { ...hermeticEnv(), ONEVENV_UV: uv.uv };
      const lock = await runCli(['lock'], { cwd: repo.root, env });
      expect([lock.code, lock.stderr.includes('error')]).toEqual([0, false]);
      expect(await repo.read('python/requirements.txt')).toContain('twomods==1.0.0');
      const sync = await runCli(['sync', '--json'], { cwd: repo.root, env });
      expect([sync.code, JSON.parse(sync.stdout).imports]).toEqual([0, { ok: true, failed: [] }]);
      expect(installedPins(repo.root)).toContain('canary-pkg==0.1.0');
      // The .pth names each path literally.
      const site = execFileSync(
        path.join(repo.root, 'python/.venv/bin/python'),
        ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
        { encoding: 'utf8' },
      ).trim();
      expect(await fs.readFile(path.join(site, '_onevenv_paths.pth'), 'utf8')).toBe(
        `${paths.map((p) => path.resolve(repo.root, 'python', p)).join('\n')}\n`,
      );
      const run = await runCli(['run', '--', 'python', '-c', 'import canary_pkg; print("ok")'], {
        cwd: repo.root,
        env,
      });
      expect([run.code, run.stdout]).toEqual([0, 'ok\n']);
      await expectNoCanary(repo);

      const script = await repo.read('python/setup.sh');
      expect(script).toBe(generateSetupScript(await loadConfig(repo.root)));
      await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
      const setup = await runProcess('sh', ['python/setup.sh'], {
        cwd: repo.root,
        env: { ...process.env, ...env, PATH: `${scratch}${path.delimiter}${process.env.PATH}` },
      });
      expect([setup.code, setup.stderr]).toEqual([0, expect.not.stringContaining('error')]);
      expect(installedPins(repo.root)).toContain('canary-pkg==0.1.0');
      await expectNoCanary(repo);
      counts.canaryRuns += 4;
    } finally {
      await repo.cleanup();
    }
  });

  it('through adopt --write and the python/setup.sh it writes', async () => {
    const [dollar, backtick, semicolon] = payloads('adopt');
    const repo = await makeRepo(
      {
        '.gitignore': 'tools/.venv/\n',
        '.mcp.json': `${JSON.stringify(
          {
            mcpServers: {
              tools: { command: 'tools/.venv/bin/python', args: ['-c', dollar, backtick] },
            },
          },
          null,
          2,
        )}\n`,
        'tools/run.sh': `#!/bin/sh\ntools/.venv/bin/python tools/a.py "${dollar}" ${semicolon}\n`,
        'tools/a.py': 'import alpha\n',
        'tools/requirements.txt': `alpha\n-e ../lib $(touch canary-lib)\n`,
        'CMakeLists.txt': `cmake_minimum_required(VERSION 3.20)\nproject(x)\nfind_package(Python3 REQUIRED)\nadd_custom_target(gen COMMAND \${Python3_EXECUTABLE} "${dollar}" VERBATIM)\n`,
      },
      { git: true },
    );
    try {
      await tinyPackage(repo, 'lib $(touch canary-lib)', 'adopted-lib');
      const env = { ...hermeticEnv(), ONEVENV_UV: uv.uv };
      const adopt = await runCli(['adopt', '--write'], { cwd: repo.root, env });
      expect([adopt.code, adopt.stderr.includes('error')]).toEqual([0, false]);
      expect(await repo.read('python/pyproject.toml')).toContain(
        'editable = ["../lib $(touch canary-lib)"]',
      );
      const setup = await runProcess('sh', ['python/setup.sh'], {
        cwd: repo.root,
        env: { ...process.env, ...env, PATH: `${scratch}${path.delimiter}${process.env.PATH}` },
      });
      expect([setup.code, setup.stderr.includes('error')]).toEqual([0, false]);
      expect(installedPins(repo.root)).toContain('adopted-lib==0.1.0');
      await expectNoCanary(repo);
      counts.canaryRuns += 2;
    } finally {
      await repo.cleanup();
    }
  });

  it('no uv invocation and no generated file ever carries --extra-index-url', async () => {
    const calls = await uvCalls(uv.log);
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.filter((argv) => argv.some((a) => a.includes('extra-index-url')))).toEqual([]);
    counts.uvInvocations = calls.length;
  });
});

describe('credentials in index URLs', () => {
  let index: LocalIndex;
  const secrets = ['s3cr3t-pass', 'pypi-AgENdGVzdC1zZWNyZXQ', 'ghp_tokenonly123'];
  beforeAll(async () => {
    index = await startLocalIndex();
  });
  afterAll(() => index.stop());

  function withCredentials(url: string, which: number): string {
    const userinfo = [
      'alice:s3cr3t-pass',
      '__token__:pypi-AgENdGVzdC1zZWNyZXQ',
      'ghp_tokenonly123',
    ][which]!;
    return url.replace('://', `://${userinfo}@`);
  }

  function expectNoSecret(where: string, text: string): void {
    for (const secret of secrets) expect([where, text.includes(secret)]).toEqual([where, false]);
  }

  async function declarationRepo(installer: string, indexUrl: string, groups: string) {
    return makeRepo(
      {
        'python/pyproject.toml': [
          '[project]',
          'name = "creds"',
          'version = "0"',
          'requires-python = ">=3.10"',
          '[dependency-groups]',
          groups,
          '[tool.onevenv]',
          `installer = "${installer}"`,
          `index-url = "${indexUrl}"`,
          '',
        ].join('\n'),
      },
      { git: true },
    );
  }

  // Only the declaration names an index (the test's environment sets none).
  // One retry each: enough for pip to name the connection error, without minutes of backoff.
  const noIndexEnv = { UV_PYTHON_DOWNLOADS: 'never', UV_HTTP_RETRIES: '1', PIP_RETRIES: '1' };

  it.each([
    ['uv', 0],
    ['pip', 1],
    ['uv', 2],
  ] as const)(
    '%s: lock and sync through an index whose URL has credentials (#%i)',
    async (installer, which) => {
      const url = withCredentials(index.url, which);
      const repo = await declarationRepo(installer, url, 'tools = ["gamma", "twomods"]');
      try {
        for (const args of [['lock', '-v'], ['sync', '-v'], ['status'], ['check', '--json']]) {
          const result = await runCli(args, { cwd: repo.root, env: noIndexEnv });
          if (args[0] !== 'check') expect([args[0], result.code]).toEqual([args[0], 0]);
          expectNoSecret(`${args[0]} stdout`, result.stdout);
          expectNoSecret(`${args[0]} stderr`, result.stderr);
          counts.redactionRuns++;
        }
        const lock = await repo.read('python/requirements.txt');
        expectNoSecret('lock', lock);
        expect(lock).toContain(`--index-url ${index.url}\n`);
        expect(installedPins(repo.root)).toEqual([
          'alpha==1.1.0',
          'beta==1.0.0',
          'gamma==0.5.0',
          'twomods==1.0.0',
        ]);
        // Every file onevenv wrote (the declaration is the user's, credentials and all).
        for (const file of await filesUnder(repo.root)) {
          if (/^(\.git|python\/\.venv)\//.test(file) || file === 'python/pyproject.toml') continue;
          expectNoSecret(file, await repo.read(file));
        }
      } finally {
        await repo.cleanup();
      }
    },
  );

  it.each(['uv', 'pip'] as const)(
    '%s: failures (nothing listening) are redacted in every message',
    async (installer) => {
      // Port 9 (discard) on the loopback: refused at once.
      const url = withCredentials('http://127.0.0.1:9/simple', 0);
      const repo = await declarationRepo(installer, url, 'tools = ["alpha"]');
      try {
        const before = await repo.snapshot();
        for (const args of [['lock'], ['lock', '-v'], ['sync'], ['sync', '-v', '--json']]) {
          const result = await runCli(args, { cwd: repo.root, env: noIndexEnv });
          expect([args.join(' '), result.code === 0]).toEqual([args.join(' '), false]);
          expect(result.stderr).toMatch(/^error .*(127\.0\.0\.1:9|Connection refused)/m);
          expectNoSecret(`${args.join(' ')} stdout`, result.stdout);
          expectNoSecret(`${args.join(' ')} stderr`, result.stderr);
          counts.redactionRuns++;
        }
        expect(await repo.snapshot()).toEqual(before);
        // A hand-written lock whose pin cannot be fetched: sync --frozen fails to install.
        await repo.write(
          'python/requirements.txt',
          `--index-url ${url}\nalpha==1.1.0 \\\n    --hash=sha256:${'0'.repeat(64)}\n`,
        );
        const frozen = await runCli(['sync', '--frozen', '-v'], {
          cwd: repo.root,
          env: noIndexEnv,
        });
        expect(frozen.code).toBe(2);
        expectNoSecret('sync --frozen stderr', frozen.stderr);
        expectNoSecret('sync --frozen stdout', frozen.stdout);
        counts.redactionRuns++;
      } finally {
        await repo.cleanup();
      }
    },
  );

  it('scan and adopt of a requirements file with credentials and --extra-index-url', async () => {
    const repo = await makeRepo(
      {
        'tools/requirements.txt': [
          `--index-url ${withCredentials(index.url, 0)}`,
          `--extra-index-url ${withCredentials('https://private.example/simple', 1)}`,
          'alpha',
          '',
        ].join('\n'),
        'tools/a.py': 'import alpha\n',
        'tools/run.sh': '#!/bin/sh\ntools/.venv/bin/python tools/a.py\n',
      },
      { git: true },
    );
    try {
      for (const args of [
        ['scan'],
        ['scan', '--json'],
        ['adopt'],
        ['adopt', '--json'],
        ['adopt', '--write'],
      ]) {
        const result = await runCli(args, { cwd: repo.root, env: hermeticEnv() });
        expectNoSecret(`${args.join(' ')} stdout`, result.stdout);
        expectNoSecret(`${args.join(' ')} stderr`, result.stderr);
        counts.redactionRuns++;
      }
      for (const file of ['python/pyproject.toml', 'python/setup.sh', 'python/README.md']) {
        const text = await repo.read(file);
        expectNoSecret(file, text);
        // setup.sh names the option only to refuse a lock that carries it, never as an argument.
        const passed =
          file === 'python/setup.sh'
            ? /[[,(]\s*["']--extra-index-url["']\s*[,\]]/.test(text)
            : text.includes('extra-index-url');
        expect([file, passed]).toEqual([file, false]);
      }
    } finally {
      await repo.cleanup();
    }
  });
});
