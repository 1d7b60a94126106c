import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TempRepo } from '../helpers/repo.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});

async function repo(files: Record<string, string>): Promise<TempRepo> {
  const made = await makeRepo(files, { git: true, name: 'tools' });
  repos.push(made);
  return made;
}

/** No index and no find-links, for uv and pip alike: resolution cannot succeed. */
const NO_INDEX = { UV_NO_INDEX: '1', PIP_NO_INDEX: '1', UV_PYTHON_DOWNLOADS: 'never' };

const SCRIPTS = {
  '.gitignore': 'python/.venv/\n',
  'scripts/mcp/server.py': 'import alpha\n',
  'scripts/index/run.py': 'import beta\n',
};

describe('onevenv adopt with a python/pyproject.toml already there', () => {
  it('splices in only the missing group, and then changes nothing', async () => {
    const declaration =
      '[project]\nname = "tools-python-env"\nversion = "0"\nrequires-python = ">=3.11"\n\n[dependency-groups]\nindex = ["beta>=1"]  # mine\n';
    const r = await repo({ ...SCRIPTS, 'python/pyproject.toml': declaration });
    const dry = await runCli(['adopt'], { cwd: r.root });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      [
        'diff --git a/python/pyproject.toml b/python/pyproject.toml',
        '--- a/python/pyproject.toml',
        '+++ b/python/pyproject.toml',
        '@@ -5,3 +5,4 @@',
        ' ',
        ' [dependency-groups]',
        ' index = ["beta>=1"]  # mine',
        '+mcp = ["alpha"]',
      ].join('\n'),
    );
    expect(dry.stdout).toContain(
      '  change python/pyproject.toml: dependency-groups.mcp: added alpha\n',
    );
    expect(await r.read('python/pyproject.toml')).toBe(declaration);

    const write = await runCli(['adopt', '--write'], { cwd: r.root, env: NO_INDEX });
    expect(await r.read('python/pyproject.toml')).toBe(
      declaration.replace('# mine\n', '# mine\nmcp = ["alpha"]\n'),
    );
    // The lock needs an index: without one it fails, and says what to run.
    expect([write.code, write.stdout.includes('run npx onevenv lock once that is fixed')]).toEqual([
      1,
      true,
    ]);
    const snapshot = await r.snapshot();
    const again = await runCli(['adopt', '--write'], { cwd: r.root, env: NO_INDEX });
    expect(again.stdout).toContain('Nothing to change: the repository is already adopted.');
    expect(await r.snapshot()).toEqual(snapshot);
  });

  it('refuses a declaration that is not valid TOML: exit 2, one line, nothing written', async () => {
    const r = await repo({
      ...SCRIPTS,
      'python/pyproject.toml': '[project]\nname = "x"\n[dependency-groups\n',
    });
    const before = await r.snapshot();
    for (const args of [['adopt'], ['adopt', '--write']]) {
      const run = await runCli(args, { cwd: r.root });
      expect(run).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'scanning and planning\nerror python/pyproject.toml:3:19: invalid TOML: illegal character in key (fix the syntax and run again)\n',
      });
    }
    expect(await r.snapshot()).toEqual(before);
  });
});
