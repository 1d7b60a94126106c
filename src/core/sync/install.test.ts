import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, type TempRepo } from '../../../test/helpers/repo.js';
import { loadConfig } from '../config.js';
import { generateSetupScript } from '../setup-script/generate.js';

/**
 * uv installs offline first and goes online only when its cache lacks an artifact the
 * lock names. Against the real index (PyPI) with an empty uv cache, then the same cache.
 */
describe('uv installs the lock offline when its cache has everything', () => {
  let repo: TempRepo;
  let uvCache: string;
  const env = () => ({
    UV_NO_INDEX: undefined,
    UV_FIND_LINKS: undefined,
    UV_INDEX_URL: undefined,
    UV_DEFAULT_INDEX: undefined,
    PIP_NO_INDEX: undefined,
    PIP_FIND_LINKS: undefined,
    UV_CACHE_DIR: uvCache,
    ONEVENV_DEBUG: '1',
  });

  beforeAll(async () => {
    repo = await makeRepo(
      {
        'python/pyproject.toml':
          '[project]\nname = "env"\nrequires-python = ">=3.10"\n\n[dependency-groups]\nnet = ["six==1.17.0"]\n\n[tool.onevenv]\ninstaller = "uv"\n',
      },
      { git: true },
    );
    uvCache = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-uv-cache-'));
    const lock = await runCli(['lock', '-q'], { cwd: repo.root, env: env() });
    expect(lock.code).toBe(0);
  });
  afterAll(async () => {
    await repo.cleanup();
    await fs.rm(uvCache, { recursive: true, force: true });
  });

  const offlineMissed = (stderr: string) =>
    stderr.split('\n').filter((line) => / offline did not finish\b/.test(line));

  it('an empty cache: the offline attempt fails without a trace and the online one installs', async () => {
    // The lock resolution above may have cached six's wheel: start from nothing.
    await fs.rm(uvCache, { recursive: true, force: true });
    const result = await runCli(['sync', '--json'], { cwd: repo.root, env: env() });
    expect(result.code).toBe(0);
    expect(offlineMissed(result.stderr)).toHaveLength(1);
    expect(offlineMissed(result.stderr)[0]).toMatch(
      /^debug uv pip sync offline did not finish \(.+\); going online$/,
    );
    expect(result.stderr).toMatch(/\n(debug +)?\+ six==1\.17\.0\n/);
    expect(JSON.parse(result.stdout)).toMatchObject({ changed: true, imports: { ok: true } });
  });

  it('the same cache again: installed offline, no index request needed', async () => {
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
    const result = await runCli(['sync', '--json'], {
      cwd: repo.root,
      // A proxy nobody answers: any request to the index would fail the sync.
      env: { ...env(), HTTPS_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9' },
    });
    expect(offlineMissed(result.stderr)).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\n(debug +)?\+ six==1\.17\.0\n/);
  });

  it('python/setup.sh does the same: an empty cache goes online, a filled one needs no index', async () => {
    await fs.writeFile(
      path.join(repo.root, 'python/setup.sh'),
      generateSetupScript(await loadConfig(repo.root)),
      { mode: 0o755 },
    );
    const setup = (extra: NodeJS.ProcessEnv = {}) =>
      new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn('sh', ['python/setup.sh', '--verbose'], {
          cwd: repo.root,
          env: { ...process.env, ...env(), ...extra },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
    await fs.rm(uvCache, { recursive: true, force: true });
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
    const cold = await setup();
    expect(cold.code).toBe(0);
    expect(offlineMissed(cold.stderr)).toEqual([
      'uv pip sync offline did not finish; going online',
    ]);
    await fs.rm(path.join(repo.root, 'python/.venv'), { recursive: true });
    const warm = await setup({
      HTTPS_PROXY: 'http://127.0.0.1:9',
      https_proxy: 'http://127.0.0.1:9',
    });
    expect(offlineMissed(warm.stderr)).toEqual([]);
    expect(warm.code).toBe(0);
    expect(warm.stderr).toMatch(/python\/\.venv ready: /);
  });
});
