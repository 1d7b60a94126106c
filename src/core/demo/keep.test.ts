import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/repo.js';
import { copyExample, exampleDir } from './example.js';

const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-demo-keep-')));
  dirs.push(dir);
  return dir;
}

describe('onevenv demo --keep', () => {
  it('refuses a directory that is not empty, or a file, changing nothing', async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, 'notes.txt'), 'mine\n');
    const busy = await runCli(['demo', '--keep', dir], { cwd: dir });
    expect({ code: busy.code, stdout: busy.stdout, stderr: busy.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: `error --keep ${dir} is not empty (give a new or empty directory: the demo copies the example into it)\n`,
    });
    expect(await fs.readdir(dir)).toEqual(['notes.txt']);
    const file = await runCli(['demo', '--keep', 'notes.txt'], { cwd: dir });
    expect({ code: file.code, stderr: file.stderr }).toEqual({
      code: 2,
      stderr: `error --keep ${path.join(dir, 'notes.txt')} is a file (give a new or empty directory)\n`,
    });
  });
});

describe('copyExample', () => {
  it('copies every file of the example, the ignore file under its real name, modes kept', async () => {
    const dir = await tempDir();
    const copied = await copyExample(exampleDir(), dir);
    expect(copied).toContain('.gitignore');
    expect(copied).not.toContain('gitignore');
    expect(await fs.readFile(path.join(dir, '.gitignore'), 'utf8')).toBe(
      await fs.readFile(path.join(exampleDir(), 'gitignore'), 'utf8'),
    );
    expect((await fs.stat(path.join(dir, 'replay/start_server.sh'))).mode & 0o777).toBe(0o755);
    expect(copied.length).toBe(29);
  });
});
