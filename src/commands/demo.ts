import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXIT_FINDINGS, EXIT_OK, UserError } from '../util/errors.js';
import { log, outputJson } from '../util/log.js';
import type { CommandModule } from './types.js';

async function emptyDirectory(dir: string): Promise<string> {
  let entries: string[];
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) {
      throw new UserError(`--keep ${dir} is a file`, { fix: 'give a new or empty directory' });
    }
    entries = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fs.mkdir(dir, { recursive: true });
    entries = [];
  }
  if (entries.length > 0) {
    throw new UserError(`--keep ${dir} is not empty`, {
      fix: 'give a new or empty directory: the demo copies the example into it',
    });
  }
  return fs.realpath(dir);
}

export const command: CommandModule = {
  help: {
    usage: 'onevenv demo [--keep DIR] [--json]',
    description: [
      'Runs onevenv end to end on the bundled example, a small C++/pybind11/Python repository',
      'in the fragmented state of the seed ticket (scripts/.venv, a start script that makes',
      'its own venv, CMake on find_package(Python3), .mcp.json on a venv a clone lacks).',
      '',
      'It copies the example to a temporary directory (or DIR), commits it with git, and',
      'narrates each step as it runs the real commands: onevenv scan, onevenv adopt --write',
      '(committed), python/setup.sh, cmake --preset debug && cmake --build --preset',
      'debug-all, onevenv check, and replay/start_server.sh answering GET /health and POST',
      "/summary before it is stopped. It ends with the seed ticket's acceptance criteria",
      'AC1-AC7, each judged from what happened. Needs python3, git, cmake, ninja and a C++',
      'compiler; uv makes it faster. The package index must be reachable.',
      '',
      'Exit 0 when every criterion passes, 1 otherwise. Without --keep the directory is',
      'removed after a run that passes and kept (and named) after one that does not.',
    ].join('\n'),
    options: [['--keep <dir>', 'run in DIR (new or empty) and keep it afterwards']],
    examples: [
      ['onevenv demo', 'see every step and the acceptance table'],
      ['onevenv demo --keep /tmp/telemetry-sim', 'then look around the adopted repository'],
      ['onevenv demo --json', '{"ok", "criteria": [{"id", "ok", "detail"}], "dir"}'],
    ],
  },
  options: { keep: { type: 'string' } },
  async run(context) {
    const keep = context.values.keep;
    if (keep === '') {
      throw new UserError('--keep needs a directory', { fix: 'onevenv demo --keep DIR' });
    }
    const [{ runDemo }, { findToolchain, missingBuildTool }, { exampleDir }, { printTable }] =
      await Promise.all([
        import('../core/demo/run-demo.js'),
        import('../core/demo/toolchain.js'),
        import('../core/demo/example.js'),
        import('../core/demo/narrate.js'),
      ]);
    if (
      !(await fs.stat(exampleDir()).then(
        () => true,
        () => false,
      ))
    ) {
      throw new UserError(`the bundled example is missing: ${exampleDir()} does not exist`, {
        fix: 'reinstall onevenv (the package carries examples/)',
      });
    }
    const tools = await findToolchain();
    if (!tools.git) {
      throw new UserError('git is not on PATH', {
        fix: 'install git: the demo commits the example and adopts it',
      });
    }
    const missing = missingBuildTool(tools);
    if (missing) {
      log.warn(`${missing}: the C++ build cannot run, so AC2, AC4 and AC7 will fail`);
    }
    let root: string;
    let temp: string | undefined;
    if (typeof keep === 'string') {
      root = await emptyDirectory(path.resolve(context.cwd, keep));
    } else {
      temp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-demo-')));
      root = path.join(temp, 'telemetry-sim');
      await fs.mkdir(root);
    }
    const { report, seconds } = await runDemo(root, tools);
    const remove = temp !== undefined && report.ok;
    log.info('');
    if (context.json) outputJson(report);
    else {
      printTable(
        report.criteria,
        seconds,
        remove
          ? `It ran in ${root}, now removed (--keep DIR keeps it).`
          : `The repository: ${root}`,
      );
    }
    if (remove && temp) await fs.rm(temp, { recursive: true, force: true });
    return report.ok ? EXIT_OK : EXIT_FINDINGS;
  },
};
