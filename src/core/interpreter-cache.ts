import { createHash } from 'node:crypto';
import { closeSync, promises as fs, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { log } from '../util/log.js';
import { onevenvCacheDir } from './cache-dir.js';
import { dirIdentity, fileIdentity } from './venv/marker.js';

/**
 * What an interpreter says about itself (version, prefixes, ensurepip, pip) costs a Python
 * start, 40-100 ms, on every build of a venv. uv keeps the same answers keyed on the
 * executable's path and modification time; so do we, for compiled executables only (a
 * script such as a pyenv shim answers for whatever it runs this time). An answer holds
 * while the executable's file, its standard library directory (ensurepip added or removed)
 * and its site-packages directory (pip installed or upgraded) are unchanged.
 */

export const FACTS_FORMAT = 1;

export interface CachedFacts<T> {
  format: number;
  path: string;
  identity: string;
  dirs: Array<[string, string | undefined]>;
  facts: T;
}

function factsFile(cacheDir: string, executable: string, real: string): string {
  const key = createHash('sha256').update(`${executable}\0${real}`).digest('hex');
  return path.join(cacheDir, 'interpreters', `${key}.json`);
}

/** A compiled executable (ELF, Mach-O, PE), not a script. */
export function isCompiledExecutable(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(4);
    const read = readSync(fd, head, 0, 4, 0);
    if (read < 2) return false;
    if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return true;
    if (head[0] === 0x4d && head[1] === 0x5a) return true;
    const magic = head.readUInt32BE(0);
    return [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function readCachedFacts<T>(
  executable: string,
  real: string,
  env: NodeJS.ProcessEnv,
): T | undefined {
  if (!isCompiledExecutable(real)) return undefined;
  try {
    const entry = JSON.parse(
      readFileSync(factsFile(onevenvCacheDir(env), executable, real), 'utf8'),
    ) as CachedFacts<T>;
    if (entry.format !== FACTS_FORMAT || entry.path !== executable) return undefined;
    if (entry.identity !== fileIdentity(real)) return undefined;
    for (const [dir, identity] of entry.dirs) {
      if (dirIdentity(dir) !== identity) return undefined;
    }
    return entry.facts;
  } catch {
    return undefined;
  }
}

/** Best effort: an unwritable cache only means the next run asks the interpreter again. */
export async function writeCachedFacts<T>(
  executable: string,
  real: string,
  dirs: string[],
  facts: T,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const identity = fileIdentity(real);
  if (!identity || !isCompiledExecutable(real)) return;
  const entry: CachedFacts<T> = {
    format: FACTS_FORMAT,
    path: executable,
    identity,
    dirs: dirs.map((dir) => [dir, dirIdentity(dir)]),
    facts,
  };
  try {
    const file = factsFile(onevenvCacheDir(env), executable, real);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, `${JSON.stringify(entry)}\n`);
  } catch (error) {
    log.debug(`interpreter facts not cached: ${(error as Error).message}`);
  }
}
