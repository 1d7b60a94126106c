import { runProcess } from '../../util/exec.js';
import type { Toolchain } from './facts.js';

async function versionOf(command: string, args = ['--version']): Promise<string | undefined> {
  try {
    const result = await runProcess(command, args, { timeoutMs: 30_000 });
    if (result.code !== 0) return undefined;
    const first = `${result.stdout}\n${result.stderr}`.split('\n').find((l) => l.trim() !== '');
    return first?.trim() ?? command;
  } catch {
    return undefined;
  }
}

/** The compiler CMake would pick: $CXX first, then the usual names on PATH. */
async function findCompiler(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const candidates = [env.CXX?.trim().split(/\s+/)[0], 'c++', 'g++', 'clang++'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const version = await versionOf(candidate);
    if (version) return `${candidate} (${version})`;
  }
  return undefined;
}

export async function findToolchain(env: NodeJS.ProcessEnv = process.env): Promise<Toolchain> {
  const [git, cmake, ninja, compiler] = await Promise.all([
    versionOf('git'),
    versionOf('cmake'),
    versionOf('ninja'),
    findCompiler(env),
  ]);
  return { git, cmake, ninja, compiler };
}

/** Why the C++ build cannot be attempted, in words a person can act on; undefined when it can. */
export function missingBuildTool(tools: Toolchain): string | undefined {
  const missing: string[] = [];
  if (!tools.cmake) missing.push('cmake is not on PATH (install CMake 3.25 or later)');
  if (!tools.ninja)
    missing.push('ninja is not on PATH (the debug preset uses the Ninja generator)');
  if (!tools.compiler) missing.push('no C++ compiler found ($CXX, c++, g++ or clang++)');
  return missing.length > 0 ? missing.join('; ') : undefined;
}
