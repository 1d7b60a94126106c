import path from 'node:path';
import { EXIT_FINDINGS, EXIT_OK } from '../util/errors.js';
import { log, output } from '../util/log.js';
import type { CommandModule } from './types.js';

export const command: CommandModule = {
  help: {
    usage: 'onevenv which',
    description: [
      "Print the absolute path of the venv's interpreter (python/.venv/bin/python), for",
      'scripts and tools. Does not sync; warns on stderr when the venv is stale, exits 1',
      'when it has no interpreter yet.',
    ].join('\n'),
    examples: [['"$(onevenv which)" -m pytest', 'run a module with the venv interpreter']],
  },
  async run(context) {
    const { locateVenv } = await import('../core/venv/locate.js');
    const { realPathOrUndefined, venvPython } = await import('../core/venv/marker.js');
    const { root, venv, quick } = await locateVenv(context.cwd);
    const python = venvPython(venv);
    const shown = path.relative(root, venv).split(path.sep).join('/') || '.';
    if (!realPathOrUndefined(python)) {
      log.error(`${shown} has no working interpreter (run onevenv sync)`);
      return EXIT_FINDINGS;
    }
    if (quick.venv === venv && quick.staleness && !quick.staleness.ready) {
      log.warn(`${shown} is stale: ${quick.staleness.reasons[0]} (run onevenv sync)`);
    } else if (!quick.staleness) {
      log.warn(`${shown} was not built by onevenv sync (run onevenv sync)`);
    }
    if (context.json) output(JSON.stringify({ python, venv }));
    else output(python);
    return EXIT_OK;
  },
};
