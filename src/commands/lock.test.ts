import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TempRepo } from '../../test/helpers/repo.js';
import { ensureWheelhouse } from '../../test/helpers/wheelhouse.js';

/** `onevenv lock` as a user runs it: the built CLI, real uv and pip, real exit codes. */

let hermetic: NodeJS.ProcessEnv;
let repo: TempRepo | undefined;

beforeAll(async () => {
  const wheelhouse = await ensureWheelhouse();
  hermetic = {
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

const declaration = `[project]
name = "env"
version = "0"
requires-python = ">=3.10"

[dependency-groups]
trace = ["tiny-sitter-cpp"]
mcp = ["gamma", {include-group = "trace"}]
`;

describe('onevenv lock', () => {
  it('writes the lock, reports it as JSON, and --check answers 0 then 1 after a group changes', async () => {
    repo = await makeRepo({ 'python/pyproject.toml': declaration }, { git: true });
    const cwd = repo.root;
    expect(await runCli(['lock'], { cwd, env: hermetic })).toEqual({
      code: 0,
      stdout: [
        'alpha==1.1.0',
        'beta==1.0.0',
        'gamma==0.5.0',
        'tiny-sitter==0.21.0',
        'tiny-sitter-cpp==0.22.0',
        '',
      ].join('\n'),
      stderr:
        'resolving python/pyproject.toml with uv\nwrote python/requirements.txt: 5 packages pinned with hashes (uv)\n',
    });

    const again = await runCli(['lock', '--json'], { cwd, env: hermetic });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      lock: 'python/requirements.txt',
      installer: 'uv',
      changed: false,
      packages: [
        { name: 'alpha', version: '1.1.0', groups: ['mcp'] },
        { name: 'beta', version: '1.0.0', groups: ['mcp'] },
        { name: 'gamma', version: '0.5.0', groups: ['mcp'] },
        { name: 'tiny-sitter', version: '0.21.0', groups: ['mcp', 'trace'] },
        { name: 'tiny-sitter-cpp', version: '0.22.0', groups: ['mcp', 'trace'] },
      ],
    });

    // --check needs neither the network nor Python: an empty PATH proves it.
    expect(await runCli(['lock', '--check'], { cwd, env: { PATH: '' } })).toEqual({
      code: 0,
      stdout: '',
      stderr: 'python/requirements.txt is current\n',
    });

    await repo.write('python/pyproject.toml', declaration.replace('"gamma"', '"gamma", "twomods"'));
    const reason =
      "python/pyproject.toml (or an editable package's pyproject.toml) changed since python/requirements.txt was generated";
    expect(await runCli(['lock', '--check'], { cwd, env: { PATH: '' } })).toEqual({
      code: 1,
      stdout: '',
      stderr: `python/requirements.txt is stale: ${reason} (run 'onevenv lock')\n`,
    });
    const json = await runCli(['lock', '--check', '--json'], { cwd, env: { PATH: '' } });
    expect([json.code, JSON.parse(json.stdout)]).toEqual([
      1,
      { lock: 'python/requirements.txt', state: 'stale', reason },
    ]);
  });

  it('pip backend through the CLI, and --check for a lock that does not exist yet', async () => {
    repo = await makeRepo({ 'python/pyproject.toml': declaration }, { git: true });
    const cwd = repo.root;
    const missing = await runCli(['lock', '--check'], { cwd, env: hermetic });
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "python/requirements.txt is missing: python/requirements.txt does not exist (run 'onevenv lock')\n",
    });
    const result = await runCli(['lock', '--installer', 'pip', '--json'], { cwd, env: hermetic });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ installer: 'pip', changed: true });
    expect(await repo.read('python/requirements.txt')).toMatch(/^# installer: pip$/m);
    expect(
      (await runCli(['lock', '--check', '--installer', 'pip'], { cwd, env: hermetic })).code,
    ).toBe(0);
  });

  it('conflicting groups: exit 2, one line naming both groups and lines, no file changed', async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml': `[project]
name = "env"
requires-python = ">=3.10"

[dependency-groups]
old = ["beta"]
new = ["delta"]
`,
        'python/requirements.txt': '# an older lock\n',
      },
      { git: true },
    );
    const before = await repo.snapshot();
    const result = await runCli(['lock', '-q'], { cwd: repo.root, env: hermetic });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error python/pyproject.toml:6: uv cannot resolve the requirements: No solution found when resolving dependencies: Because all versions of delta depend on alpha==2.0.0 and all versions of beta depend on alpha>=1.0,<2, we can conclude that all versions of beta and all versions of delta are incompatible. And because you require beta and delta, we can conclude that your requirements are unsatisfiable. Requested by: "beta" in group:old at python/pyproject.toml:6; "delta" in group:new at python/pyproject.toml:7. (change the requirements named above and run onevenv lock again; the lock was not changed)\n',
    });
    expect(await repo.snapshot()).toEqual(before);
  });

  it.each([
    [
      'malformed TOML',
      '[project]\nname = "env"\n[dependency-groups\na = ["six"]\n',
      'error python/pyproject.toml:3:19: invalid TOML: illegal character in key (fix the syntax and run again)\n',
    ],
    [
      'a bad version specifier',
      '[project]\nname = "env"\n\n[dependency-groups]\ntools = ["six >>>= 1"]\n',
      "error python/pyproject.toml:5: dependency-groups.tools: invalid version specifier '>>>= 1' in 'six >>>= 1' (use a PEP 508 requirement such as \"six>=1.16\")\n",
    ],
    [
      'an include-group that names no group',
      '[dependency-groups]\napp = [{include-group = "nope"}]\n',
      'error python/pyproject.toml:2: dependency-groups.app: include-group "nope" names no group (groups defined: app)\n',
    ],
  ])('%s: exit 2 with file and line, no file changed', async (_, text, stderr) => {
    repo = await makeRepo(
      { 'python/pyproject.toml': text, 'python/requirements.txt': '# an older lock\n' },
      { git: true },
    );
    const before = await repo.snapshot();
    expect(await runCli(['lock'], { cwd: repo.root, env: hermetic })).toEqual({
      code: 2,
      stdout: '',
      stderr,
    });
    expect(await repo.snapshot()).toEqual(before);
  });

  it('rejects bad option values and combinations with exit 2', async () => {
    repo = await makeRepo({ 'python/pyproject.toml': declaration }, { git: true });
    const cwd = repo.root;
    expect(await runCli(['lock', '--installer', 'conda'], { cwd })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error --installer "conda" is not allowed (use one of: auto, uv, pip)\n',
    });
    expect(await runCli(['lock', '--check', '--upgrade'], { cwd })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error --check cannot be combined with --upgrade or --upgrade-package (run --check alone)\n',
    });
    expect(await runCli(['lock', '--upgrade-package', 'no such'], { cwd })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error --upgrade-package "no such" is not a package name (give a distribution name such as "requests")\n',
    });
    expect(await repo.exists('python/requirements.txt')).toBe(false);
  });
});

describe('against the real package index', () => {
  const noLocalIndex = {
    PIP_NO_INDEX: undefined,
    PIP_FIND_LINKS: undefined,
    PIP_INDEX_URL: undefined,
    UV_NO_INDEX: undefined,
    UV_FIND_LINKS: undefined,
    UV_INDEX_URL: undefined,
    UV_DEFAULT_INDEX: undefined,
  };
  const real = `[project]
name = "env"
requires-python = ">=3.10"

[dependency-groups]
net = ["six==1.17.0", "packaging"]
`;
  // six 1.17.0 on PyPI: its wheel, and (for a universal lock) its sdist.
  const sixWheel = 'sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274';
  const sixSdist = 'sha256:ff70335d468e7eb6ec65b95b99d3a2836546063f63acc5171de367e834932a81';

  it.each([
    ['uv', [sixWheel, sixSdist]],
    ['pip', [sixWheel]],
  ] as const)(
    '%s pins six and packaging with their real sha256 hashes',
    async (installer, sixHashes) => {
      repo = await makeRepo({ 'python/pyproject.toml': real }, { git: true });
      const cwd = repo.root;
      const result = await runCli(['lock', '--installer', installer, '-q'], {
        cwd,
        env: noLocalIndex,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const text = await repo.read('python/requirements.txt');
      const body = text.slice(text.indexOf('\n\n') + 2);
      const six = [
        'six==1.17.0 \\',
        ...sixHashes.map((h, i) => `    --hash=${h}${i < sixHashes.length - 1 ? ' \\' : ''}`),
        '    # via group:net',
        '',
      ].join('\n');
      expect(body.endsWith(six)).toBe(true);
      expect(body.slice(0, body.length - six.length)).toMatch(
        /^packaging==\d+(\.\d+)+ \\\n( {4}--hash=sha256:[0-9a-f]{64} \\\n)* {4}--hash=sha256:[0-9a-f]{64}\n {4}# via group:net\n$/,
      );
      expect((await runCli(['lock', '--check'], { cwd, env: { PATH: '' } })).code).toBe(0);
    },
  );
});
