import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, type TempRepo } from '../../../test/helpers/repo.js';
import { ensureWheelhouse, systemPython } from '../../../test/helpers/wheelhouse.js';
import { formatUserError, UserError } from '../../util/errors.js';
import { runProcess } from '../../util/exec.js';
import { setLogLevel } from '../../util/log.js';
import { loadConfig } from '../config.js';
import { findInterpreter } from '../interpreter.js';
import { parseLockFile } from './lock-file.js';
import { type LockOptions, lockProject, onevenvVersion } from './lock-project.js';
import { lockFingerprint, lockStatus } from './status.js';

let wheelhouse: string;
let env: NodeJS.ProcessEnv;
let repo: TempRepo | undefined;

beforeAll(async () => {
  setLogLevel('quiet');
  wheelhouse = await ensureWheelhouse();
  env = {
    ...process.env,
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: wheelhouse,
    UV_NO_INDEX: '1',
    UV_FIND_LINKS: wheelhouse,
  };
});

afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

async function hashOf(wheel: string): Promise<string> {
  const bytes = await fs.readFile(path.join(wheelhouse, wheel));
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function lock(r: TempRepo, options: LockOptions = {}) {
  return lockProject(await loadConfig(r.root), { env, ...options });
}

async function failure(r: TempRepo, options: LockOptions): Promise<string> {
  const error = await lock(r, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  expect(error.exitCode).toBe(2);
  return formatUserError(error);
}

const pyproject = `[project]
name = "env"
version = "0"
requires-python = ">=3.10"
dependencies = ["twomods"]

[dependency-groups]
trace = ["tiny-sitter-cpp>=0.22"]
app = ["gamma", "lib", {include-group = "trace"}]

[tool.onevenv]
editable = ["../lib", "../legacy"]
`;

// Dependencies a build backend computes cannot be read without building: not locked.
const legacyPyproject = `[project]
name = "legacy"
version = "2"
dynamic = ["dependencies"]
`;

// Optional dependencies are not locked: delta would conflict with gamma's beta. The group
// app names lib itself, which is installed from its directory, not resolved.
const libPyproject = `[project]
name = "lib"
version = "1.0"
dependencies = ["alpha>=1.1"]

[project.optional-dependencies]
dev = ["delta"]
`;

async function expectedBody(): Promise<string> {
  return [
    'alpha==1.1.0 \\',
    `    --hash=${await hashOf('alpha-1.1.0-py3-none-any.whl')}`,
    '    # via',
    '    #   editable:lib',
    '    #   beta',
    'beta==1.0.0 \\',
    `    --hash=${await hashOf('beta-1.0.0-py3-none-any.whl')}`,
    '    # via gamma',
    'gamma==0.5.0 \\',
    `    --hash=${await hashOf('gamma-0.5.0-py3-none-any.whl')}`,
    '    # via group:app',
    'tiny-sitter==0.21.0 \\',
    `    --hash=${await hashOf('tiny_sitter-0.21.0-py3-none-any.whl')}`,
    '    # via tiny-sitter-cpp',
    'tiny-sitter-cpp==0.22.0 \\',
    `    --hash=${await hashOf('tiny_sitter_cpp-0.22.0-py3-none-any.whl')}`,
    '    # via',
    '    #   group:app',
    '    #   group:trace',
    'twomods==1.0.0 \\',
    `    --hash=${await hashOf('twomods-1.0.0-py3-none-any.whl')}`,
    '    # via project',
    '',
  ].join('\n');
}

async function expectedScope(installer: 'uv' | 'pip', r: TempRepo): Promise<string[]> {
  if (installer === 'uv') return ['# python: >=3.10', '# platform: any (universal resolution)'];
  const python = await findInterpreter(await loadConfig(r.root), { env });
  const minor = python.version.split('.').slice(0, 2).join('.');
  return [
    `# python: ${minor} (${python.implementation}; this Python only)`,
    `# platform: ${process.platform} ${os.machine()} (this platform only)`,
  ];
}

const expectedPackages = [
  { name: 'alpha', version: '1.1.0', groups: ['app', 'editable:lib'] },
  { name: 'beta', version: '1.0.0', groups: ['app'] },
  { name: 'gamma', version: '0.5.0', groups: ['app'] },
  { name: 'tiny-sitter', version: '0.21.0', groups: ['app', 'trace'] },
  { name: 'tiny-sitter-cpp', version: '0.22.0', groups: ['app', 'trace'] },
  { name: 'twomods', version: '1.0.0', groups: ['project'] },
];

describe.each(['uv', 'pip'] as const)('the %s backend', (installer) => {
  it('pins and hashes every group, [project] dependencies and editables; a rerun changes no byte', async () => {
    repo = await makeRepo({
      'python/pyproject.toml': pyproject,
      'lib/pyproject.toml': libPyproject,
      'legacy/pyproject.toml': legacyPyproject,
    });
    const config = await loadConfig(repo.root);
    expect(await lockStatus(config)).toEqual({
      state: 'missing',
      reason: 'python/requirements.txt does not exist',
    });

    const first = await lock(repo, { installer });
    expect(first).toEqual({
      kind: 'locked',
      lock: path.join(repo.root, 'python/requirements.txt'),
      installer,
      changed: true,
      text: await repo.read('python/requirements.txt'),
      packages: expectedPackages,
      pylock: undefined,
      pylockChanged: false,
    });
    expect(await repo.read('python/requirements.txt')).toEqual(
      [
        `# This file is generated by onevenv ${onevenvVersion()} from python/pyproject.toml; do not edit it.`,
        '# To change it, edit python/pyproject.toml and run `onevenv lock`. To install it:',
        '#   pip install --require-hashes -r python/requirements.txt',
        `# installer: ${installer}`,
        ...(await expectedScope(installer, repo)),
        `# fingerprint: ${await lockFingerprint(config)}`,
        '',
        await expectedBody(),
      ].join('\n'),
    );

    // Plain pip installs it with hashes required (a dry run checks every hash).
    const install = await runProcess(
      systemPython,
      [
        '-m',
        'pip',
        'install',
        '--dry-run',
        '--ignore-installed',
        '--require-hashes',
        '-r',
        path.join(repo.root, 'python/requirements.txt'),
      ],
      { env },
    );
    expect([install.code, install.stderr]).toEqual([0, '']);

    const before = await repo.snapshot();
    const second = await lock(repo, { installer });
    expect(second.kind === 'locked' && second.changed).toBe(false);
    expect(await repo.snapshot()).toEqual(before);

    expect(await lockStatus(config)).toEqual({
      state: 'current',
      reason: 'python/requirements.txt matches python/pyproject.toml',
    });
    expect(await lockStatus(config, { installer })).toEqual({
      state: 'current',
      reason: 'python/requirements.txt matches python/pyproject.toml',
    });
    await repo.write(
      'python/pyproject.toml',
      pyproject.replace('"tiny-sitter-cpp>=0.22"', '"tiny-sitter-cpp>=0.22", "filler-01"'),
    );
    expect(await lockStatus(await loadConfig(repo.root))).toEqual({
      state: 'stale',
      reason:
        "python/pyproject.toml (or an editable package's pyproject.toml) changed since python/requirements.txt was generated",
    });
  });

  const groups = (old: string, fresh: string) => `[project]
name = "env"
version = "0"
requires-python = ">=3.10"

[dependency-groups]
old = [${old}]
new = [${fresh}]
`;
  const messages = {
    uv: {
      unknown:
        'python/pyproject.toml:8: uv cannot resolve the requirements: No solution found when resolving dependencies: Because nonexistent-pkg was not found in the provided package locations and you require nonexistent-pkg>=1, we can conclude that your requirements are unsatisfiable. Requested by: "nonexistent-pkg>=1" in group:new at python/pyproject.toml:8.',
      version:
        'python/pyproject.toml:8: uv cannot resolve the requirements: No solution found when resolving dependencies: Because there is no version of alpha==9.9 and you require alpha==9.9, we can conclude that your requirements are unsatisfiable. Requested by: "alpha==9.9" in group:new at python/pyproject.toml:8.',
      conflict:
        'python/pyproject.toml:7: uv cannot resolve the requirements: No solution found when resolving dependencies: Because all versions of delta depend on alpha==2.0.0 and all versions of beta depend on alpha>=1.0,<2, we can conclude that all versions of beta and all versions of delta are incompatible. And because you require beta and delta, we can conclude that your requirements are unsatisfiable. Requested by: "beta" in group:old at python/pyproject.toml:7; "delta" in group:new at python/pyproject.toml:8.',
    },
    pip: {
      unknown:
        'python/pyproject.toml:8: pip cannot resolve the requirements: Could not find a version that satisfies the requirement nonexistent-pkg>=1 (from versions: none). No matching distribution found for nonexistent-pkg>=1. Requested by: "nonexistent-pkg>=1" in group:new at python/pyproject.toml:8.',
      version:
        'python/pyproject.toml:8: pip cannot resolve the requirements: Could not find a version that satisfies the requirement alpha==9.9 (from versions: 1.0.0, 1.1.0, 2.0.0). No matching distribution found for alpha==9.9. Requested by: "alpha==9.9" in group:new at python/pyproject.toml:8.',
      conflict:
        'python/pyproject.toml:7: pip cannot resolve the requirements: Cannot install beta and delta because these package versions have conflicting dependencies. The conflict is caused by: beta 1.0.0 depends on alpha<2 and >=1.0; delta 3.0.0 depends on alpha==2.0.0. Requested by: "beta" in group:old at python/pyproject.toml:7; "delta" in group:new at python/pyproject.toml:8.',
    },
  };
  const fix =
    ' (change the requirements named above and run onevenv lock again; the lock was not changed)';

  it.each([
    ['an unknown package', '"twomods"', '"nonexistent-pkg>=1"', 'unknown'],
    ['a version that does not exist', '"twomods"', '"alpha==9.9"', 'version'],
    ['conflicting pins from two groups', '"beta"', '"delta"', 'conflict'],
  ] as const)(
    '%s: exit 2 naming the groups and lines, the lock untouched',
    async (_, old, fresh, key) => {
      repo = await makeRepo({
        'python/pyproject.toml': groups(old, fresh),
        'python/requirements.txt': '# the previous lock\nsix==1.16.0\n',
      });
      const before = await repo.snapshot();
      expect(await failure(repo, { installer })).toBe(`${messages[installer][key]}${fix}`);
      expect(await repo.snapshot()).toEqual(before);
    },
  );

  it('keeps existing pins until --upgrade-package or --upgrade asks', async () => {
    const decl = (alpha: string) => `[project]
name = "env"
requires-python = ">=3.10"

[dependency-groups]
a = ["${alpha}", "twomods"]
`;
    repo = await makeRepo({ 'python/pyproject.toml': decl('alpha<1.1') });
    const versions = async (options: LockOptions = {}) => {
      const outcome = await lock(repo!, { installer, ...options });
      return outcome.kind === 'locked'
        ? outcome.packages.map((p) => `${p.name}==${p.version}`)
        : [];
    };
    expect(await versions()).toEqual(['alpha==1.0.0', 'twomods==1.0.0']);
    await repo.write('python/pyproject.toml', decl('alpha'));
    expect(await versions()).toEqual(['alpha==1.0.0', 'twomods==1.0.0']);
    expect(await versions({ upgradePackages: ['twomods'] })).toEqual([
      'alpha==1.0.0',
      'twomods==1.0.0',
    ]);
    expect(await versions({ upgradePackages: ['Alpha'] })).toEqual([
      'alpha==2.0.0',
      'twomods==1.0.0',
    ]);

    await repo.write('python/pyproject.toml', decl('alpha<1.1'));
    expect(await versions()).toEqual(['alpha==1.0.0', 'twomods==1.0.0']);
    await repo.write('python/pyproject.toml', decl('alpha'));
    expect(await versions({ upgrade: true })).toEqual(['alpha==2.0.0', 'twomods==1.0.0']);

    // A pin the new requirements exclude gives way without --upgrade.
    await repo.write('python/pyproject.toml', decl('alpha<1.1'));
    expect(await versions()).toEqual(['alpha==1.0.0', 'twomods==1.0.0']);
    await repo.write('python/pyproject.toml', decl('alpha>=1.1'));
    expect(await versions()).toEqual(['alpha==2.0.0', 'twomods==1.0.0']);
  });
});

it('uv and pip pin the same versions of a larger set', async () => {
  repo = await makeRepo({
    'python/pyproject.toml': `[project]
name = "env"
requires-python = ">=3.10"

[dependency-groups]
fill = ["many"]
tools = ["gamma", "tiny-sitter-cpp", "twomods", "alpha<2"]
`,
  });
  const uv = await lock(repo, { installer: 'uv' });
  const uvText = await repo.read('python/requirements.txt');
  const pip = await lock(repo, { installer: 'pip' });
  const pipText = await repo.read('python/requirements.txt');
  expect(uv.kind === 'locked' && uv.packages.length).toBe(21);
  expect(pip.kind === 'locked' && pip.packages).toEqual(uv.kind === 'locked' && uv.packages);
  // Same pins, same hashes, same annotations: only the header differs.
  const body = (text: string) => text.slice(text.indexOf('\n\n'));
  expect(body(pipText)).toEqual(body(uvText));
  expect(parseLockFile(pipText).packages.every((p) => p.hashes.length > 0)).toBe(true);
});

it('--format pylock writes PEP 751 pylock.toml with the same pins (uv)', async () => {
  repo = await makeRepo({
    'python/pyproject.toml': `[project]
name = "env"
requires-python = ">=3.10"

[dependency-groups]
app = ["gamma"]
`,
  });
  const outcome = await lock(repo, { installer: 'uv', format: 'pylock' });
  expect(outcome.kind === 'locked' && [outcome.pylock, outcome.pylockChanged]).toEqual([
    path.join(repo.root, 'python/pylock.toml'),
    true,
  ]);
  const wheel = async (name: string, version: string) =>
    `wheels = [{ url = "file://${wheelhouse}/${name}-${version}-py3-none-any.whl", hashes = { sha256 = "${(
      await hashOf(`${name}-${version}-py3-none-any.whl`)
    ).slice('sha256:'.length)}" } }]`;
  expect(await repo.read('python/pylock.toml')).toEqual(
    [
      `# This file is generated by onevenv ${onevenvVersion()} from python/pyproject.toml (PEP 751); do not edit it.`,
      '# It pins the same versions as python/requirements.txt.',
      'lock-version = "1.0"',
      'created-by = "uv"',
      'requires-python = ">=3.10"',
      '',
      '[[packages]]',
      'name = "alpha"',
      'version = "1.1.0"',
      await wheel('alpha', '1.1.0'),
      '',
      '[[packages]]',
      'name = "beta"',
      'version = "1.0.0"',
      await wheel('beta', '1.0.0'),
      '',
      '[[packages]]',
      'name = "gamma"',
      'version = "0.5.0"',
      await wheel('gamma', '0.5.0'),
      '',
    ].join('\n'),
  );
  expect((await fs.readdir(path.join(repo.root, 'python'))).sort()).toEqual([
    'pylock.toml',
    'pyproject.toml',
    'requirements.txt',
  ]);
  const again = await lock(repo, { installer: 'uv', format: 'pylock' });
  expect(again.kind === 'locked' && [again.changed, again.pylockChanged]).toEqual([false, false]);
});

describe('choosing the installer', () => {
  const decl =
    '[project]\nname = "env"\nrequires-python = ">=3.10"\n\n[dependency-groups]\na = ["alpha"]\n';

  it('auto falls back to pip without uv; uv asked for but absent is a user error', async () => {
    repo = await makeRepo({ 'python/pyproject.toml': decl });
    const noUv = { ...env, ONEVENV_UV: '' };
    const outcome = await lock(repo, { env: noUv });
    expect(outcome.kind === 'locked' && outcome.installer).toBe('pip');
    const before = await repo.snapshot();
    expect(await failure(repo, { env: noUv, installer: 'uv' })).toBe(
      'uv is not on PATH (install uv (https://docs.astral.sh/uv/), or lock with --installer pip)',
    );
    expect(await failure(repo, { installer: 'pip', format: 'pylock' })).toBe(
      '--format pylock needs uv (pylock.toml is written by uv) (drop --format pylock, or lock with --installer uv)',
    );
    expect(await repo.snapshot()).toEqual(before);
  });

  it('a lock made by pip is stale when uv is asked for, and the reverse', async () => {
    repo = await makeRepo({ 'python/pyproject.toml': decl });
    await lock(repo, { installer: 'pip' });
    const config = await loadConfig(repo.root);
    expect(await lockStatus(config)).toEqual({
      state: 'current',
      reason: 'python/requirements.txt matches python/pyproject.toml',
    });
    expect(await lockStatus(config, { installer: 'uv' })).toEqual({
      state: 'stale',
      reason: 'python/requirements.txt was resolved by pip, the installer asked for is uv',
    });
    const checked = await lock(repo, { installer: 'uv', check: true });
    expect(checked.kind === 'check' && checked.status.state).toBe('stale');
  });
});

it('a declaration without requirements locks to a header alone', async () => {
  repo = await makeRepo({
    'python/pyproject.toml': '[project]\nname = "env"\n\n[dependency-groups]\nempty = []\n',
  });
  const outcome = await lock(repo, { installer: 'uv' });
  expect(outcome.kind === 'locked' && outcome.packages).toEqual([]);
  const text = await repo.read('python/requirements.txt');
  expect(text.split('\n').slice(3)).toEqual([
    '# installer: uv',
    '# python: unspecified (requires-python is not set)',
    '# platform: any (nothing to resolve)',
    `# fingerprint: ${await lockFingerprint(await loadConfig(repo.root))}`,
    '',
  ]);
});

describe.each(['uv', 'pip'] as const)('index settings from the pyproject (%s)', (installer) => {
  it('uses find-links, writes index options without credentials, keeps credentials out of messages', async () => {
    repo = await makeRepo({
      'python/pyproject.toml': `[project]
name = "env"
requires-python = ">=3.10"

[dependency-groups]
a = ["alpha"]

[tool.onevenv]
index-url = "https://user:s3cret@pypi.invalid/simple"
find-links = ["../wheels"]
`,
    });
    await fs.mkdir(path.join(repo.root, 'wheels'));
    await fs.copyFile(
      path.join(wheelhouse, 'alpha-1.1.0-py3-none-any.whl'),
      path.join(repo.root, 'wheels/alpha-1.1.0-py3-none-any.whl'),
    );
    // Only the pyproject points at wheels; --no-index keeps the invalid index unasked.
    const localOnly = {
      ...process.env,
      PIP_FIND_LINKS: undefined,
      UV_FIND_LINKS: undefined,
      PIP_NO_INDEX: '1',
      UV_NO_INDEX: '1',
    };
    await lock(repo, { installer, env: localOnly });
    const text = await repo.read('python/requirements.txt');
    expect(text.slice(text.indexOf('\n\n') + 2)).toEqual(
      [
        '--index-url https://pypi.invalid/simple',
        '--find-links ../wheels',
        '',
        'alpha==1.1.0 \\',
        `    --hash=${await hashOf('alpha-1.1.0-py3-none-any.whl')}`,
        '    # via group:a',
        '',
      ].join('\n'),
    );
    expect(parseLockFile(text).options).toEqual([
      '--index-url https://pypi.invalid/simple',
      '--find-links ../wheels',
    ]);

    await repo.write(
      'python/pyproject.toml',
      (await repo.read('python/pyproject.toml')).replace('"alpha"', '"alpha>=2"'),
    );
    const message = await failure(repo, { installer, env: localOnly });
    expect(message).not.toContain('s3cret');
    expect(message).toContain('"alpha>=2" in group:a at python/pyproject.toml:6');
  });
});
