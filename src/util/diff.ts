import { createTwoFilesPatch } from 'diff';

/**
 * A git-style unified diff of one file, for previews (`adopt`, `add --dry-run`).
 * `before` undefined means the file is new; `after` undefined means it is deleted.
 */
export function unifiedDiff(
  file: string,
  before: string | undefined,
  after: string | undefined,
): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${file}`,
    after === undefined ? '/dev/null' : `b/${file}`,
    before ?? '',
    after ?? '',
    '',
    '',
    { context: 3 },
  );
  // Drop jsdiff's "=====" banner line and the empty tab-suffixed headers.
  const lines = patch.split('\n').filter((line) => !/^=+$/.test(line));
  const body = lines.map((line) => (/^(---|\+\+\+) /.test(line) ? line.replace(/\t$/, '') : line));
  return `diff --git a/${file} b/${file}\n${body.join('\n')}`;
}
