import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runProcess } from '../../util/exec.js';
import { parseCMake } from './parse.js';

/**
 * The grammar's corners, read by the real cmake and by parseCMake: every argument CMake
 * passes to a function must be one argument here, with the same value. (No `${…}` and no
 * `;` here: those are expanded and split after parsing, on purpose not by the parser.)
 */
const CASES = [
  'plain a.b 3d _x1 Python3::Interpreter',
  '-Da="b c" x$(MAKE_VAR)y a"b"c "d"',
  '[ [=x =y a[[b]] [',
  '[=[\na ]] b ]==] c\n]=] tail',
  'a#line comment\n b',
  'e\\(f\\) a\\ b "q\\"uote" "tab\\there" \\#hash',
  '"multi\nline" "cont\\\ninued"',
  '(nested (parens)) x',
  '#[[ bracket comment ]] after #[==[ another\n]==] end',
  'crlf\r\n next',
  '"crlf\r\nquoted" "cont\\\r\ninued"',
  '[[\r\nbracket crlf\r\n]]',
  '[==[]]=]]==] "" [[]]',
];

const SHOW = `function(show)
  set(i 0)
  while(i LESS ARGC)
    message("<\${ARGV\${i}}>")
    math(EXPR i "\${i} + 1")
  endwhile()
  message("--")
endfunction()
`;

it('reads every argument as the real cmake does', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'onevenv-cmake-'));
  try {
    const script = `${SHOW}${CASES.map((c) => `show(${c})\n`).join('')}`;
    const file = path.join(dir, 'cases.cmake');
    await writeFile(file, script);
    const run = await runProcess('cmake', ['-P', file], { timeoutMs: 60_000 });
    expect(run.stderr.endsWith('--\n')).toBe(true);
    const byCmake = run.stderr
      .slice(0, -'--\n'.length)
      .split('--\n')
      .map((block) => [...block.matchAll(/<([^>]*)>\n/g)].map((m) => m[1]));

    const { commands, errors } = parseCMake(script);
    expect(errors).toEqual([]);
    const ours = commands
      .filter((c) => c.id === 'show')
      .map((c) => c.arguments.map((a) => a.value));
    expect(ours).toEqual(byCmake);
    expect(ours).toHaveLength(CASES.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
