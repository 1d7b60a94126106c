import { expect, it } from 'vitest';
import { guessVenvSetting } from './quick.js';

it('finds venv in [tool.onevenv], default when absent', () => {
  expect(guessVenvSetting('[project]\nname = "x"\n')).toBeUndefined();
  expect(guessVenvSetting('[tool.onevenv]\nvenv = ".env" # here\n')).toBe('.env');
  expect(guessVenvSetting("[tool.onevenv]\nvenv = '../v'\n[other]\nvenv = 'no'\n")).toBe('../v');
  expect(guessVenvSetting('[other]\nvenv = "no"\n')).toBeUndefined();
  expect(guessVenvSetting('[tool.onevenv]\r\nvenv = "crlf"\r\n')).toBe('crlf');
});

it('gives up (null) on spellings it does not read, so the slow path decides', () => {
  expect(guessVenvSetting('[tool.onevenv]\nvenv = "a\\"b"\n')).toBeNull();
  expect(guessVenvSetting('tool.onevenv.venv = "x"\n')).toBeNull();
  expect(guessVenvSetting('[tool]\nonevenv = { venv = "x" }\n')).toBeNull();
  expect(guessVenvSetting('[tool.onevenv]\n"venv" = "x"\n')).toBeNull();
});
