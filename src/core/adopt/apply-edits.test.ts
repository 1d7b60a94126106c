import { describe, expect, it } from 'vitest';
import { applyEdits } from './apply-edits.js';
import { appendLine, deleteLine, insertLineBefore, lineRange, relativeFromFile } from './text.js';

const r = 'test';

describe('applyEdits', () => {
  it('applies edits last offset first, against the original offsets', () => {
    const text = 'aaa bbb ccc\n';
    expect(
      applyEdits(text, [
        { start: 0, end: 3, replacement: 'A', reason: r },
        { start: 8, end: 11, replacement: 'CCCCC', reason: r },
        { start: 4, end: 7, replacement: '', reason: r },
      ]),
    ).toEqual({ ok: true, text: 'A  CCCCC\n' });
  });

  it('keeps the order given for inserts at one offset, and lets edits touch', () => {
    expect(
      applyEdits('xy', [
        { start: 1, end: 1, replacement: '1', reason: r },
        { start: 1, end: 1, replacement: '2', reason: r },
        { start: 0, end: 1, replacement: 'X', reason: r },
        { start: 1, end: 2, replacement: 'Y', reason: r },
      ]),
    ).toEqual({ ok: true, text: 'X12Y' });
  });

  it('refuses overlapping edits and edits outside the text, naming them', () => {
    const a = { start: 0, end: 4, replacement: '', reason: r };
    const b = { start: 3, end: 5, replacement: 'x', reason: r };
    expect(applyEdits('0123456', [b, a])).toEqual({
      ok: false,
      message: 'edits 0-4 and 3-5 overlap',
      edits: [a, b],
    });
    const c = { start: 2, end: 9, replacement: '', reason: r };
    expect(applyEdits('0123', [c])).toEqual({
      ok: false,
      message: 'edit 2-9 lies outside the text (length 4)',
      edits: [c],
    });
  });

  it('writes new lines with the file’s CRLF endings', () => {
    const text = 'one\r\ntwo\r\n';
    expect(applyEdits(text, [appendLine(text, 'three', r)])).toEqual({
      ok: true,
      text: 'one\r\ntwo\r\nthree\r\n',
    });
    expect(applyEdits(text, [deleteLine(text, 6, r)])).toEqual({ ok: true, text: 'one\r\n' });
    expect(applyEdits(text, [insertLineBefore(text, 5, 'x\ny', r)])).toEqual({
      ok: true,
      text: 'one\r\nx\r\ny\r\ntwo\r\n',
    });
  });

  it('keeps whether the file ends with a newline', () => {
    const bare = 'one\ntwo';
    expect(applyEdits(bare, [appendLine(bare, 'three', r)])).toEqual({
      ok: true,
      text: 'one\ntwo\nthree',
    });
    expect(applyEdits(bare, [deleteLine(bare, 5, r)])).toEqual({ ok: true, text: 'one' });
    expect(applyEdits(bare, [{ start: 7, end: 7, replacement: '\n', reason: r }])).toEqual({
      ok: true,
      text: 'one\ntwo',
    });
    expect(applyEdits('a\n', [{ start: 1, end: 2, replacement: '', reason: r }])).toEqual({
      ok: true,
      text: 'a\n',
    });
    expect(applyEdits('', [appendLine('', 'x', r)])).toEqual({ ok: true, text: 'x\n' });
    expect(applyEdits('a\n', [{ start: 0, end: 2, replacement: '', reason: r }])).toEqual({
      ok: true,
      text: '',
    });
  });
});

describe('text helpers', () => {
  it('lineRange takes the line ending, or the one before a last bare line', () => {
    expect(lineRange('a\nbb\ncc', 3)).toEqual({ start: 2, end: 5 });
    expect(lineRange('a\r\nbb', 4)).toEqual({ start: 1, end: 5 });
    expect(lineRange('only', 2)).toEqual({ start: 0, end: 4 });
  });

  it('relativeFromFile', () => {
    expect(relativeFromFile('replay/start_server.sh', 'python/.venv')).toBe('../python/.venv');
    expect(relativeFromFile('.mcp.json', 'python/.venv/bin/python3')).toBe(
      'python/.venv/bin/python3',
    );
    expect(relativeFromFile('python/x', 'python')).toBe('.');
  });
});
