import { UserError } from '../util/errors.js';
import type { CommandModule } from './types.js';

/** A command of the design that has not been built yet: says so and exits 2. */
export function notBuilt(name: string, summary: string): CommandModule {
  return {
    help: {
      usage: `onevenv ${name}`,
      description: `${summary}\n\nNot built yet in this version of onevenv.`,
    },
    allowPositionals: true,
    async run() {
      throw new UserError(`'onevenv ${name}' is not built yet in this version`, {
        fix: 'see the README for the commands available now',
      });
    },
  };
}
