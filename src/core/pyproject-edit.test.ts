import { describe, expect, it } from 'vitest';
import { addRequirements, EditError, removeRequirements } from './pyproject-edit.js';

describe('addRequirements', () => {
  it('appends to an inline array, keeping everything else', () => {
    const text =
      '[project]\nname = "x"  # keep\n\n[dependency-groups]\nmcp = ["fastmcp>=2"] # servers\ntest = []\n';
    expect(addRequirements(text, 'mcp', ['beta']).text).toBe(
      '[project]\nname = "x"  # keep\n\n[dependency-groups]\nmcp = ["fastmcp>=2", "beta"] # servers\ntest = []\n',
    );
    expect(addRequirements(text, 'test', ['pytest']).text).toBe(
      '[project]\nname = "x"  # keep\n\n[dependency-groups]\nmcp = ["fastmcp>=2"] # servers\ntest = ["pytest"]\n',
    );
  });

  it('appends to a multi-line array in its own style (trailing comma, comments)', () => {
    const text = [
      '[dependency-groups]',
      'replay = [',
      '  # web',
      "  'fastapi',  # the app",
      '  "uvicorn",',
      ']',
      'other = ["x"]',
      '',
    ].join('\n');
    expect(addRequirements(text, 'replay', ['pydantic>=2']).text).toBe(
      [
        '[dependency-groups]',
        'replay = [',
        '  # web',
        "  'fastapi',  # the app",
        '  "uvicorn",',
        '  "pydantic>=2",',
        ']',
        'other = ["x"]',
        '',
      ].join('\n'),
    );
  });

  it('adds a comma when the last element has none', () => {
    const text = '[dependency-groups]\na = [\n    "x",\n    "y"  # last\n]\n';
    expect(addRequirements(text, 'a', ['z']).text).toBe(
      '[dependency-groups]\na = [\n    "x",\n    "y",  # last\n    "z"\n]\n',
    );
  });

  it('handles a closing bracket on the last element line', () => {
    const text = '[dependency-groups]\na = [\n    "x",\n    "y"]\n';
    expect(addRequirements(text, 'a', ['z']).text).toBe(
      '[dependency-groups]\na = [\n    "x",\n    "y",\n    "z"]\n',
    );
  });

  it('replaces the specifier of a package already in the group', () => {
    const text = '[dependency-groups]\na = ["Six>=1.0", "beta"]\n';
    expect(addRequirements(text, 'a', ['six==1.16.0'])).toEqual({
      text: '[dependency-groups]\na = ["six==1.16.0", "beta"]\n',
      changes: [
        { group: 'a', name: 'six', action: 'replaced', old: 'Six>=1.0', new: 'six==1.16.0' },
      ],
    });
    expect(addRequirements(text, 'a', ['beta']).changes).toEqual([
      { group: 'a', name: 'beta', action: 'unchanged', old: 'beta', new: 'beta' },
    ]);
  });

  it('creates the group at the end of [dependency-groups], before the next table', () => {
    const text = '[dependency-groups]\na = ["x"]\n\n[tool.onevenv]\ninstaller = "uv"\n';
    expect(addRequirements(text, 'new-group', ['y', 'z']).text).toBe(
      '[dependency-groups]\na = ["x"]\nnew-group = ["y", "z"]\n\n[tool.onevenv]\ninstaller = "uv"\n',
    );
  });

  it('creates [dependency-groups] when missing, and keeps CRLF', () => {
    const text = '[project]\r\nname = "x"\r\n';
    expect(addRequirements(text, 'a', ['six']).text).toBe(
      '[project]\r\nname = "x"\r\n\r\n[dependency-groups]\r\na = ["six"]\r\n',
    );
    expect(
      addRequirements('[dependency-groups]\r\na = [\r\n  "x",\r\n]\r\n', 'a', ['y']).text,
    ).toBe('[dependency-groups]\r\na = [\r\n  "x",\r\n  "y",\r\n]\r\n');
  });

  it('keeps include-group tables and matches group names normalised', () => {
    const text = '[dependency-groups]\nTest_Group = [{ include-group = "a" }, "x"]\na = []\n';
    expect(addRequirements(text, 'test-group', ['y']).text).toBe(
      '[dependency-groups]\nTest_Group = [{ include-group = "a" }, "x", "y"]\na = []\n',
    );
  });

  it('rejects an invalid requirement before editing', () => {
    expect(() => addRequirements('', 'a', ['six >>>= 1'])).toThrow(EditError);
  });
});

describe('removeRequirements', () => {
  const text = [
    '[dependency-groups]',
    'a = ["six>=1", "beta"]',
    'b = [',
    '  "alpha",',
    '  "Six",  # again',
    ']',
    '',
  ].join('\n');

  it('removes from one group', () => {
    expect(removeRequirements(text, ['six'], 'a')).toEqual({
      text: text.replace('["six>=1", "beta"]', '["beta"]'),
      changes: [{ group: 'a', name: 'six', action: 'removed', old: 'six>=1' }],
    });
  });

  it('removes from every group, whole lines in multi-line arrays', () => {
    expect(removeRequirements(text, ['six'], undefined)).toEqual({
      text: ['[dependency-groups]', 'a = ["beta"]', 'b = [', '  "alpha",', ']', ''].join('\n'),
      changes: [
        { group: 'a', name: 'six', action: 'removed', old: 'six>=1' },
        { group: 'b', name: 'six', action: 'removed', old: 'Six' },
      ],
    });
  });

  it('removes the last and the only element', () => {
    expect(removeRequirements('[dependency-groups]\na = ["x", "y"]\n', ['y'], 'a').text).toBe(
      '[dependency-groups]\na = ["x"]\n',
    );
    expect(removeRequirements('[dependency-groups]\na = ["x",]\n', ['x'], 'a').text).toBe(
      '[dependency-groups]\na = []\n',
    );
  });

  it('reports a package that is not there', () => {
    expect(removeRequirements(text, ['nope'], undefined)).toEqual({
      text,
      changes: [{ group: '*', name: 'nope', action: 'unchanged' }],
    });
  });
});
