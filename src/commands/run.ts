import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { getLogLevel, log, setLogLevel } from '../util/log.js';
import type { CommandModule } from './types.js';

/** The environment a command sees inside the venv: what `activate` would set. */
export function activatedEnv(venv: string, binDir: string, env: NodeJS.ProcessEnv) {
  const out: NodeJS.ProcessEnv = { ...env };
  delete out.PYTHONHOME;
  out.VIRTUAL_ENV = venv;
  out.PATH = [binDir, env.PATH].filter(Boolean).join(path.delimiter);
  return out;
}

function runInherited(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    // Same process group and terminal as onevenv: Ctrl-C reaches the command directly.
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onTerm = forward('SIGTERM');
    const onHup = forward('SIGHUP');
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    child.on('error', (error) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new UserError(`command not found: ${command}`, {
            fix: 'check the spelling, or install it into the venv (add it to a dependency group)',
            exitCode: 127,
          }),
        );
        return;
      }
      reject(error);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      if (signal) resolve(128 + (constants.signals[signal] ?? 0));
      else resolve(code ?? 1);
    });
  });
}

export const command: CommandModule = {
  help: {
    usage: 'onevenv run -- COMMAND [ARGS...]',
    description: [
      'Run a command inside the environment: VIRTUAL_ENV set, the venv first on PATH',
      '([tool.onevenv] paths are on sys.path through the venv). Syncs first, quietly, when',
      "the venv is stale. The command's exit code is passed through.",
    ].join('\n'),
    examples: [
      ['onevenv run -- python -m pytest -q', 'run the tests with the venv'],
      ['onevenv run -- python scripts/generate.py', 'run a script'],
    ],
  },
  allowPositionals: true,
  async run(context) {
    const argv = context.passthrough.length > 0 ? context.passthrough : context.positionals;
    const [program, ...args] = argv;
    if (!program) {
      throw new UserError('nothing to run', { fix: 'onevenv run -- COMMAND [ARGS...]' });
    }
    const { quickCheck } = await import('../core/venv/quick.js');
    const quick = quickCheck(context.cwd, { frozen: false });
    let venv: string;
    if (quick.venv && quick.staleness?.ready) {
      venv = quick.venv;
    } else {
      const { syncInRepo } = await import('../core/sync/sync.js');
      const level = getLogLevel();
      if (level !== 'verbose') setLogLevel('quiet');
      let result: Awaited<ReturnType<typeof syncInRepo>>['result'];
      try {
        ({ result } = await syncInRepo(context.cwd, {}, { onWait: log.warn }));
      } finally {
        setLogLevel(level);
      }
      for (const failure of result.imports.failed) {
        log.warn(`group ${failure.group}: import ${failure.module} failed: ${failure.error}`);
      }
      venv = result.venv;
    }
    const { venvBin } = await import('../core/venv/marker.js');
    const bin = venvBin(venv);
    return runInherited(program, args, activatedEnv(venv, bin, process.env));
  },
};
