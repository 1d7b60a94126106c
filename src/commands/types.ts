import type { ParseArgsConfig } from 'node:util';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  /** Where the user ran onevenv (or `--cwd`). */
  cwd: string;
  values: OptionValues;
  positionals: string[];
  /** Everything after a literal `--` (for `onevenv run -- CMD …`). */
  passthrough: string[];
  json: boolean;
}

export interface CommandHelp {
  usage: string;
  description: string;
  options?: Array<[flags: string, description: string]>;
  examples?: Array<[command: string, description: string]>;
}

export interface CommandModule {
  help: CommandHelp;
  options?: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  run(context: CommandContext): Promise<number>;
}
