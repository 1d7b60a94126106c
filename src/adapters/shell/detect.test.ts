// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell text spells its variables ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectContext, unplaced } from '../../../test/helpers/adapter.js';
import { ENV_PATH_PYTHON, ENV_UNKNOWN, type Reference } from '../types.js';
import { adapter } from './index.js';

function detect(text: string, file = 'tools/run.sh'): Reference[] {
  return adapter.detect(text, file, detectContext)?.references ?? [];
}

function brief(refs: Reference[]) {
  return unplaced(refs).map(({ consumer: _c, ...rest }) => rest);
}

describe('shell adapter', () => {
  it('reads *.sh, *.bash, .envrc and extensionless files with a shell shebang', () => {
    const cases: [string, string][] = [
      ['setup.sh', ''],
      ['a/b/run.bash', ''],
      ['bin/bootstrap', '#!/bin/sh'],
      ['bin/dev', '#!/usr/bin/env bash'],
      ['bin/dash-it', '#! /bin/dash -e'],
      ['bin/z', '#!/usr/bin/env -S zsh -f'],
      ['bin/tool', '#!/usr/bin/env python3'],
      ['bin/node-tool', '#!/usr/bin/env node'],
      ['svc/.envrc', 'source .venv/bin/activate'],
      ['README', ''],
      ['script.py', '#!/bin/sh'],
      ['Makefile', ''],
    ];
    expect(cases.map(([file, first]) => adapter.matches(file, first))).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      true,
      false,
      false,
      false,
    ]);
  });

  it('returns null for an empty file and for a script without Python', () => {
    expect(adapter.detect('', 'x.sh', detectContext)).toBeNull();
    expect(adapter.detect('#!/bin/sh\nset -e\nmake -j4 all\n', 'x.sh', detectContext)).toBeNull();
  });

  it('reports the seed ticket start script with exact spans and the script as consumer', () => {
    const text = [
      '#!/usr/bin/env bash',
      'SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
      'cd "$SCRIPT_DIR"',
      'python3 -m venv .venv',
      'source .venv/bin/activate',
      'pip install -e .',
      'exec python -m uvicorn replay.server:app',
      '',
    ].join('\n');
    expect(detect(text, 'replay/start_server.sh')).toEqual([
      {
        file: 'replay/start_server.sh',
        line: 4,
        column: 1,
        span: { start: 96, end: 117 },
        text: 'python3 -m venv .venv',
        kind: 'venv-create',
        adapter: 'shell',
        consumer: 'script replay/start_server.sh',
        environment: 'replay/.venv',
        meta: { tool: 'venv', path: '.venv' },
      },
      {
        file: 'replay/start_server.sh',
        line: 5,
        column: 8,
        span: { start: 125, end: 143 },
        text: '.venv/bin/activate',
        kind: 'venv-activate',
        adapter: 'shell',
        consumer: 'script replay/start_server.sh',
        environment: 'replay/.venv',
      },
      {
        file: 'replay/start_server.sh',
        line: 6,
        column: 1,
        span: { start: 144, end: 160 },
        text: 'pip install -e .',
        kind: 'pip-install',
        adapter: 'shell',
        consumer: 'script replay/start_server.sh',
        environment: 'replay/.venv',
        meta: { installer: 'pip', editables: ['replay'] },
      },
      {
        file: 'replay/start_server.sh',
        line: 7,
        column: 6,
        span: { start: 166, end: 172 },
        text: 'python',
        kind: 'python-command',
        adapter: 'shell',
        consumer: 'script replay/start_server.sh',
        environment: 'replay/.venv',
        meta: { module: 'uvicorn' },
      },
    ]);
  });

  it('reads relative paths against the script directory until it changes directory', () => {
    const text =
      'scripts/.venv/bin/python3 a.py\ncd "$(git rev-parse --show-toplevel)"\nscripts/.venv/bin/python3 b.py\n';
    expect(brief(detect(text, 'tools/run.sh'))).toEqual([
      {
        line: 1,
        text: 'scripts/.venv/bin/python3',
        kind: 'python-command',
        environment: 'tools/scripts/.venv',
      },
      {
        line: 3,
        text: 'scripts/.venv/bin/python3',
        kind: 'python-command',
        environment: 'scripts/.venv',
      },
    ]);
  });

  it('reports references already on the unified venv like any other', () => {
    const text = '#!/bin/sh\n. python/.venv/bin/activate\npython -m pytest\n';
    expect(brief(detect(text, 'ci.sh'))).toEqual([
      {
        line: 2,
        text: 'python/.venv/bin/activate',
        kind: 'venv-activate',
        environment: 'python/.venv',
      },
      {
        line: 3,
        text: 'python',
        kind: 'python-command',
        environment: 'python/.venv',
        meta: { module: 'pytest' },
      },
    ]);
  });

  it('reports values built from unknown variables with contains-variable', () => {
    const text = 'VENV="${VENV_ROOT}/tools"\n"$VENV/bin/python" x.py\nPY=python3\n$PY y.py\n';
    expect(brief(detect(text))).toEqual([
      {
        line: 1,
        text: 'VENV="${VENV_ROOT}/tools"',
        kind: 'venv-variable',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'VENV' },
      },
      {
        line: 2,
        text: '"$VENV/bin/python"',
        kind: 'python-command',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'VENV' },
      },
      {
        line: 3,
        text: 'PY=python3',
        kind: 'venv-variable',
        environment: ENV_PATH_PYTHON,
        meta: { variable: 'PY' },
      },
      {
        line: 4,
        text: '$PY',
        kind: 'python-command',
        environment: ENV_PATH_PYTHON,
        meta: { variable: 'PY' },
      },
    ]);
  });

  it('keeps spans exact with CRLF line endings', () => {
    const text =
      '#!/bin/bash\r\nif [ ! -d .venv ]; then\r\n  python3 -m venv .venv\r\nfi\r\n.venv/bin/pip install \\\r\n  -r requirements.txt\r\n';
    const refs = detect(text, 'run.sh');
    for (const ref of refs) expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
    expect(brief(refs)).toEqual([
      {
        line: 3,
        text: 'python3 -m venv .venv',
        kind: 'venv-create',
        environment: '.venv',
        meta: { tool: 'venv', path: '.venv' },
      },
      {
        line: 5,
        text: '.venv/bin/pip install \\\r\n  -r requirements.txt',
        kind: 'pip-install',
        environment: '.venv',
        meta: { installer: 'pip', requirements: ['requirements.txt'] },
      },
    ]);
  });

  it('does not report look-alikes: comments, echo, prose in strings, heredocs', () => {
    const text = [
      '#!/bin/bash',
      '# Run: python3 -m venv .venv && source .venv/bin/activate',
      'echo "Now run: pip install -r requirements.txt"',
      'log "python3 is required"',
      'usage() {',
      '  cat <<USAGE',
      'Usage: source scripts/.venv/bin/activate',
      'USAGE',
      '}',
      "msg='.venv/bin/python x.py'",
      'git commit -m "use python3 -m venv"',
    ].join('\n');
    expect(detect(text)).toEqual([]);
  });

  it('never throws on malformed scripts', () => {
    const broken = [
      'if then fi',
      'echo "unterminated\npython3 -m venv .venv',
      '$((( ${',
      'cat <<EOF\n',
    ];
    for (const text of broken)
      expect(() => adapter.detect(text, 'x.sh', detectContext)).not.toThrow();
    // An unterminated quote swallows the rest of the text, as the shell would.
    expect(detect('echo "unterminated\npython3 -m venv .venv')).toEqual([]);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const refs = adapter.detect(text, 'x.sh', detectContext)?.references ?? [];
        return refs.every((r) => text.slice(r.span.start, r.span.end) === r.text);
      }),
      { numRuns: 300 },
    );
  });
});
