import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVenv } from './probe.js';

async function writeDist(
  site: string,
  dist: { name: string; topLevel: string; files: Record<string, string> },
): Promise<void> {
  const info = `${dist.name}-1.0.dist-info`;
  const record: string[] = [];
  for (const [file, text] of Object.entries(dist.files)) {
    await fs.mkdir(path.dirname(path.join(site, file)), { recursive: true });
    await fs.writeFile(path.join(site, file), text);
    record.push(`${file},,`);
  }
  await fs.mkdir(path.join(site, info));
  await fs.writeFile(
    path.join(site, info, 'METADATA'),
    `Metadata-Version: 2.1\nName: ${dist.name}\nVersion: 1.0\n`,
  );
  await fs.writeFile(path.join(site, info, 'top_level.txt'), dist.topLevel);
  record.push(`${info}/METADATA,,`, `${info}/top_level.txt,,`, `${info}/RECORD,,`);
  await fs.writeFile(path.join(site, info, 'RECORD'), `${record.join('\n')}\n`);
}

describe('probeVenv top-level modules', () => {
  let dir: string;
  let python: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-probe-'));
    execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(dir, 'venv')]);
    python = path.join(dir, 'venv', 'bin', 'python');
    const site = execFileSync(
      python,
      ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
      { encoding: 'utf8' },
    ).trim();
    // As tree-sitter-cpp 0.23 ships it: top_level.txt names its extension "_binding",
    // which lives inside the package.
    await writeDist(site, {
      name: 'fake_cpp',
      topLevel: '_binding\nfake_cpp\n',
      files: { 'fake_cpp/__init__.py': '', 'fake_cpp/_binding.py': 'VALUE = 1\n' },
    });
    await writeDist(site, {
      name: 'nested_ns',
      topLevel: 'nsroot/sub\n',
      files: { 'nsroot/sub/__init__.py': '' },
    });
  }, 60_000);

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('imports only the names top_level.txt gives that RECORD installs at the top', async () => {
    const result = await probeVenv(python, [
      { name: 'native', requirements: [{ name: 'fake-cpp' }, { name: 'nested-ns' }] },
    ]);
    expect(result.failures).toEqual([]);
    expect(result.groups).toEqual([{ name: 'native', modules: ['fake_cpp', 'nsroot.sub'] }]);
  });
});
