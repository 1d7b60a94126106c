import { expect, it } from 'vitest';
import { LineIndex, makeReference } from './reference.js';

it('maps offsets to 1-based lines and columns, CRLF included', () => {
  const text = 'ab\r\ncd\nef';
  const lines = new LineIndex(text);
  expect(lines.position(0)).toEqual({ line: 1, column: 1 });
  expect(lines.position(4)).toEqual({ line: 2, column: 1 });
  expect(lines.position(8)).toEqual({ line: 3, column: 2 });
  expect(
    makeReference(text, lines, 'f.sh', 7, 9, {
      kind: 'python-command',
      adapter: 'shell',
      consumer: 'script f.sh',
      environment: 'python3 on PATH',
    }),
  ).toEqual({
    file: 'f.sh',
    line: 3,
    column: 1,
    span: { start: 7, end: 9 },
    text: 'ef',
    kind: 'python-command',
    adapter: 'shell',
    consumer: 'script f.sh',
    environment: 'python3 on PATH',
  });
});
