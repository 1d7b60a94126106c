import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** onevenv's own version (package.json beside dist/), read once. */
export function toolVersion(): string {
  if (cached === undefined) {
    const file = new URL('../../../package.json', import.meta.url);
    cached = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return cached;
}
