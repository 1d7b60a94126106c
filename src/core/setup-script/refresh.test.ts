import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { hermeticEnv } from '../../../test/helpers/locked-repo.js';
import { makeRepo, runCli, type TempRepo } from '../../../test/helpers/repo.js';
import { loadConfig } from '../config.js';
import { generateReadme } from '../readme/render.js';
import { scanRepository } from '../scan/scan.js';
import { generateSetupScript } from './generate.js';

const declaration = [
  '[project]',
  'name = "env"',
  'version = "0"',
  'requires-python = ">=3.10"',
  '',
  '[dependency-groups]',
  'tools = ["beta"]',
  '',
  '[tool.onevenv]',
  'installer = "uv"',
  '',
].join('\n');

let repo: TempRepo;
afterEach(() => repo?.cleanup());

async function withSetupScript(): Promise<string> {
  repo = await makeRepo({ 'python/pyproject.toml': declaration }, { git: true });
  const file = path.join(repo.root, 'python/setup.sh');
  await fs.writeFile(file, generateSetupScript(await loadConfig(repo.root)), { mode: 0o755 });
  return file;
}

it('onevenv lock regenerates an existing setup.sh for the edited declaration, keeping its mode', async () => {
  const file = await withSetupScript();
  await repo.write('python/pyproject.toml', declaration.replace('["beta"]', '["beta", "gamma"]'));
  const result = await runCli(['lock'], { cwd: repo.root, env: hermeticEnv() });
  expect(result.code).toBe(0);
  expect(await fs.readFile(file, 'utf8')).toBe(generateSetupScript(await loadConfig(repo.root)));
  expect((await fs.stat(file)).mode & 0o777).toBe(0o755);
});

it('onevenv add regenerates it too, and a repository without setup.sh gets none', async () => {
  const file = await withSetupScript();
  const result = await runCli(['add', 'twomods', '-g', 'tools', '--no-sync'], {
    cwd: repo.root,
    env: hermeticEnv(),
  });
  expect(result.code).toBe(0);
  expect(await fs.readFile(file, 'utf8')).toBe(generateSetupScript(await loadConfig(repo.root)));
  await fs.rm(file);
  expect((await runCli(['lock'], { cwd: repo.root, env: hermeticEnv() })).code).toBe(0);
  expect(await repo.exists('python/setup.sh')).toBe(false);
});

it('a relock also regenerates an existing python/README.md (it lists every group)', async () => {
  repo = await makeRepo(
    {
      'python/pyproject.toml': declaration,
      'tools/run.sh': '#!/bin/sh\nexec python/.venv/bin/python3 -m beta\n',
    },
    { git: true },
  );
  const readme = path.join(repo.root, 'python/README.md');
  await fs.writeFile(readme, 'stale\n');
  const result = await runCli(['add', 'gamma', '-g', 'tools', '--no-sync'], {
    cwd: repo.root,
    env: hermeticEnv(),
  });
  expect(result.code).toBe(0);
  const config = await loadConfig(repo.root);
  const expected = generateReadme(config, (await scanRepository(repo.root)).references);
  expect(await fs.readFile(readme, 'utf8')).toBe(expected);
  expect(expected).toContain('gamma');
});
