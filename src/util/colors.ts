/** Colour only for a TTY, unless NO_COLOR / FORCE_COLOR say otherwise (https://no-color.org). */

function decideColor(stream: NodeJS.WriteStream): boolean {
  const env = process.env;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') {
    return true;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

let enabled: boolean | undefined;

export function colorEnabled(): boolean {
  enabled ??= decideColor(process.stderr);
  return enabled;
}

/** For tests and `--no-color`. */
export function setColorEnabled(value: boolean | undefined): void {
  enabled = value;
}

function wrap(open: number, close: number): (text: string) => string {
  return (text) => (colorEnabled() ? `\u001b[${open}m${text}\u001b[${close}m` : text);
}

export const bold = wrap(1, 22);
export const dim = wrap(2, 22);
export const red = wrap(31, 39);
export const green = wrap(32, 39);
export const yellow = wrap(33, 39);
export const cyan = wrap(36, 39);
