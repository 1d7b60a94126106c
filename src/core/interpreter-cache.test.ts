import { execFileSync } from 'node:child_process';
import { promises as fs, readdirSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryInterpreterCached } from './interpreter.js';
import { type CachedFacts, FACTS_FORMAT, isCompiledExecutable } from './interpreter-cache.js';

describe('the interpreter facts cache', () => {
  let temp: string;
  let env: NodeJS.ProcessEnv;
  const python = realpathSync(
    execFileSync('python3', ['-I', '-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
    }).trim(),
  );
  const version = execFileSync(
    python,
    ['-I', '-c', 'import platform; print(platform.python_version())'],
    {
      encoding: 'utf8',
    },
  ).trim();
  const entries = () => readdirSync(path.join(temp, 'cache', 'interpreters'));
  const entryFile = () => path.join(temp, 'cache', 'interpreters', entries()[0]!);
  async function edit(change: (entry: CachedFacts<{ version: string }>) => void) {
    const entry = JSON.parse(await fs.readFile(entryFile(), 'utf8')) as CachedFacts<{
      version: string;
    }>;
    change(entry);
    await fs.writeFile(entryFile(), JSON.stringify(entry));
  }
  const versionOf = async () => {
    const facts = await queryInterpreterCached(python, python, env);
    if ('error' in facts) throw new Error(facts.error);
    return facts.version;
  };

  beforeAll(async () => {
    temp = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-facts-'));
    env = { ...process.env, ONEVENV_CACHE_DIR: path.join(temp, 'cache') };
  });
  afterAll(() => fs.rm(temp, { recursive: true, force: true }));

  it('tells compiled executables from scripts', async () => {
    expect(isCompiledExecutable(python)).toBe(true);
    await fs.writeFile(path.join(temp, 'shim'), `#!/bin/sh\nexec ${python} "$@"\n`, {
      mode: 0o755,
    });
    expect(isCompiledExecutable(path.join(temp, 'shim'))).toBe(false);
    expect(isCompiledExecutable(path.join(temp, 'absent'))).toBe(false);
  });

  it('asks the interpreter once, then answers from the cache', async () => {
    expect(await versionOf()).toBe(version);
    expect(entries()).toHaveLength(1);
    const entry = JSON.parse(await fs.readFile(entryFile(), 'utf8')) as CachedFacts<unknown>;
    expect(entry.format).toBe(FACTS_FORMAT);
    expect(entry.path).toBe(python);
    expect(entry.dirs.map(([dir]) => path.basename(dir))).toEqual([
      `python${version.split('.').slice(0, 2).join('.')}`,
      'site-packages',
    ]);
    // An answer the interpreter cannot give proves it was not asked.
    await edit((e) => {
      e.facts.version = '3.99.0';
    });
    expect(await versionOf()).toBe('3.99.0');
  });

  it('asks again when the executable file or a watched directory changed', async () => {
    await edit((e) => {
      e.facts.version = '3.99.0';
      e.identity = '0:0:0:0';
    });
    expect(await versionOf()).toBe(version);
    await edit((e) => {
      e.facts.version = '3.99.0';
      e.dirs[1]![1] = '0:0';
    });
    expect(await versionOf()).toBe(version);
    expect(await versionOf()).toBe(version);
  });

  it('never caches a script (a pyenv shim answers for whatever it runs this time)', async () => {
    const shim = path.join(temp, 'shim');
    const facts = await queryInterpreterCached(shim, shim, env);
    expect(facts).toMatchObject({ version });
    expect(entries()).toHaveLength(1);
  });
});
