import { beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../test/helpers/repo.js';
import { packageVersion } from './cli.js';

let cwd: string;
beforeAll(async () => {
  cwd = (await makeRepo({}, { git: true })).root;
});

describe('the CLI frame', () => {
  it('prints the version', async () => {
    expect(await runCli(['--version'], { cwd })).toEqual({
      code: 0,
      stdout: `${packageVersion()}\n`,
      stderr: '',
    });
  });

  it('lists every command in --help on stdout, exit 0', async () => {
    const result = await runCli(['--help'], { cwd });
    expect(result.code).toBe(0);
    const commands = [...result.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(commands).toEqual([
      'scan',
      'adopt',
      'lock',
      'sync',
      'status',
      'check',
      'run',
      'which',
      'add',
      'remove',
      'hook',
      'demo',
    ]);
  });

  it('shows usage on stderr with exit 2 when no command is given', async () => {
    const result = await runCli([], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: onevenv <command> [options]');
  });

  it('rejects an unknown command in one line naming the commands', async () => {
    expect(await runCli(['bogus'], { cwd })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "error unknown command 'bogus' (one of: scan, adopt, lock, sync, status, check, run, which, add, remove, hook, demo)\n",
    });
  });

  it('rejects an unknown option in one line', async () => {
    const result = await runCli(['lock', '--bogus'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error unknown option '--bogus' (see 'onevenv lock --help')\n");
  });

  it('accepts -C before the command name', async () => {
    const result = await runCli(['-C', cwd, '--version'], { cwd: '/' });
    expect(result.code).toBe(0);
  });

  it('has help with usage for every command', async () => {
    const result = await runCli(['lock', '--help'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: onevenv lock/);
    expect(result.stdout).toContain('Global options:');
  });
});
