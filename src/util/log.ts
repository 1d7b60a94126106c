import { dim, red, yellow } from './colors.js';

/** Human output goes to stderr; stdout is for results (`--json`, reports). */

export type LogLevel = 'quiet' | 'normal' | 'verbose';

let level: LogLevel = 'normal';

export function setLogLevel(value: LogLevel): void {
  level = value;
}

export function getLogLevel(): LogLevel {
  return level;
}

function write(line: string): void {
  process.stderr.write(`${line}\n`);
}

export const log = {
  info(message: string): void {
    if (level !== 'quiet') write(message);
  },
  step(message: string): void {
    if (level !== 'quiet') write(dim(message));
  },
  warn(message: string): void {
    write(`${yellow('warning')} ${message}`);
  },
  error(message: string): void {
    write(`${red('error')} ${message}`);
  },
  debug(message: string): void {
    if (level === 'verbose' || process.env.ONEVENV_DEBUG) write(dim(`debug ${message}`));
  },
};

/** Results for scripts: stdout. */
export function output(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function outputJson(value: unknown): void {
  output(JSON.stringify(value, null, 2));
}
