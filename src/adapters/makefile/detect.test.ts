import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectContext, unplaced } from '../../../test/helpers/adapter.js';
import { ENV_PATH_PYTHON, ENV_UNKNOWN, type Reference } from '../types.js';
import { adapter } from './index.js';

function detect(text: string, file = 'Makefile'): Reference[] {
  return adapter.detect(text, file, detectContext)?.references ?? [];
}

describe('makefile adapter', () => {
  it('reads Makefile, makefile, GNUmakefile and *.mk', () => {
    expect(
      [
        'Makefile',
        'sub/makefile',
        'GNUmakefile',
        'mk/python.mk',
        'Makefile.am',
        'CMakeLists.txt',
      ].map((f) => adapter.matches(f, '')),
    ).toEqual([true, true, true, true, false, false]);
  });

  it('returns null for an empty Makefile and one without Python', () => {
    expect(adapter.detect('', 'Makefile', detectContext)).toBeNull();
    expect(adapter.detect('all:\n\tcc -o app main.c\n', 'Makefile', detectContext)).toBeNull();
  });

  it('reports venv variables, recipes after make expansion, and venv variable uses', () => {
    const text = [
      'VENV ?= .venv',
      'PYTHON := $(VENV)/bin/python',
      'PIP = $(PYTHON) -m pip',
      '',
      '.PHONY: venv test clean',
      'venv: $(VENV)/bin/activate',
      '$(VENV)/bin/activate: requirements.txt',
      '\tpython3 -m venv $(VENV)',
      '\t$(PIP) install -r requirements.txt \\',
      '\t  -e .',
      '\t@touch $@',
      '',
      'test: venv ; $(PYTHON) -m pytest',
      'clean:',
      '\trm -rf $(VENV)',
    ].join('\n');
    expect(detect(text, 'svc/Makefile')).toEqual([
      {
        file: 'svc/Makefile',
        line: 1,
        column: 1,
        span: { start: 0, end: 13 },
        text: 'VENV ?= .venv',
        kind: 'venv-variable',
        adapter: 'makefile',
        consumer: 'makefile svc/Makefile',
        environment: 'svc/.venv',
        meta: { variable: 'VENV' },
      },
      {
        file: 'svc/Makefile',
        line: 2,
        column: 1,
        span: { start: 14, end: 42 },
        text: 'PYTHON := $(VENV)/bin/python',
        kind: 'venv-variable',
        adapter: 'makefile',
        consumer: 'makefile svc/Makefile',
        environment: 'svc/.venv',
        meta: { variable: 'PYTHON' },
      },
      {
        file: 'svc/Makefile',
        line: 3,
        column: 1,
        span: { start: 43, end: 65 },
        text: 'PIP = $(PYTHON) -m pip',
        kind: 'venv-variable',
        adapter: 'makefile',
        consumer: 'makefile svc/Makefile',
        environment: 'svc/.venv',
        meta: { variable: 'PIP' },
      },
      {
        file: 'svc/Makefile',
        line: 8,
        column: 2,
        span: { start: 158, end: 181 },
        text: 'python3 -m venv $(VENV)',
        kind: 'venv-create',
        adapter: 'makefile',
        consumer: 'make target .venv/bin/activate',
        environment: 'svc/.venv',
        meta: { tool: 'venv', path: '.venv', variable: 'VENV' },
      },
      {
        file: 'svc/Makefile',
        line: 9,
        column: 2,
        span: { start: 183, end: 227 },
        text: '$(PIP) install -r requirements.txt \\\n\t  -e .',
        kind: 'pip-install',
        adapter: 'makefile',
        consumer: 'make target .venv/bin/activate',
        environment: 'svc/.venv',
        meta: {
          installer: 'pip',
          requirements: ['svc/requirements.txt'],
          editables: ['svc'],
          variable: 'PIP',
        },
      },
      {
        file: 'svc/Makefile',
        line: 13,
        column: 14,
        span: { start: 253, end: 262 },
        text: '$(PYTHON)',
        kind: 'python-command',
        adapter: 'makefile',
        consumer: 'make target test',
        environment: 'svc/.venv',
        meta: { module: 'pytest', variable: 'PYTHON' },
      },
      {
        file: 'svc/Makefile',
        line: 15,
        column: 9,
        span: { start: 288, end: 295 },
        text: '$(VENV)',
        kind: 'venv-variable',
        adapter: 'makefile',
        consumer: 'make target clean',
        environment: 'svc/.venv',
        meta: { variable: 'VENV', use: true },
      },
    ]);
  });

  it('reports references already on the unified venv', () => {
    const text = 'PYTHON := python/.venv/bin/python3\ndocs:\n\t$(PYTHON) scripts/docs.py\n';
    expect(unplaced(detect(text))).toEqual([
      {
        line: 1,
        text: 'PYTHON := python/.venv/bin/python3',
        kind: 'venv-variable',
        consumer: 'makefile Makefile',
        environment: 'python/.venv',
        meta: { variable: 'PYTHON' },
      },
      {
        line: 3,
        text: '$(PYTHON)',
        kind: 'python-command',
        consumer: 'make target docs',
        environment: 'python/.venv',
        meta: { variable: 'PYTHON' },
      },
    ]);
  });

  it('resolves $(CURDIR) and the Makefile-dir idiom; unknown variables are contains-variable', () => {
    const text = [
      'ROOT := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))',
      'export PYTHONPATH := $(CURDIR)/src:$(PYTHONPATH)',
      'TOOLS_VENV = $(HOME)/.venvs/tools',
      'run:',
      '\t$(ROOT)../scripts/.venv/bin/python3 a.py',
      '\t$(PYTHON_BIN) b.py',
      '\t$(TOOLS_VENV)/bin/python c.py',
      '\t$$VIRTUAL_ENV/bin/python d.py',
    ].join('\n');
    expect(unplaced(detect(text, 'svc/Makefile'))).toEqual([
      {
        line: 2,
        text: 'PYTHONPATH := $(CURDIR)/src:$(PYTHONPATH)',
        kind: 'pythonpath',
        consumer: 'makefile svc/Makefile',
        environment: ENV_PATH_PYTHON,
        meta: { paths: ['svc/src'], appends: true },
      },
      {
        line: 3,
        text: 'TOOLS_VENV = $(HOME)/.venvs/tools',
        kind: 'venv-variable',
        consumer: 'makefile svc/Makefile',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'TOOLS_VENV' },
      },
      {
        line: 5,
        text: '$(ROOT)../scripts/.venv/bin/python3',
        kind: 'python-command',
        consumer: 'make target run',
        environment: 'scripts/.venv',
        meta: { variable: 'ROOT' },
      },
      {
        line: 6,
        text: '$(PYTHON_BIN)',
        kind: 'python-command',
        consumer: 'make target run',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'PYTHON_BIN' },
      },
      {
        line: 7,
        text: '$(TOOLS_VENV)/bin/python',
        kind: 'python-command',
        consumer: 'make target run',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'TOOLS_VENV' },
      },
      {
        line: 8,
        text: '$$VIRTUAL_ENV/bin/python',
        kind: 'python-command',
        consumer: 'make target run',
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'VIRTUAL_ENV' },
      },
    ]);
  });

  it('runs each recipe line in its own shell unless .ONESHELL is set', () => {
    const separate = 'a:\n\tcd tools\n\t.venv/bin/python x.py\n';
    const oneShell = `.ONESHELL:\n${separate}`;
    expect(unplaced(detect(separate)).map((r) => r.environment)).toEqual(['.venv']);
    expect(unplaced(detect(oneShell)).map((r) => r.environment)).toEqual(['tools/.venv']);
  });

  it('keeps spans exact with CRLF line endings', () => {
    const text =
      'VENV := .venv\r\nsetup:\r\n\tpython3 -m venv $(VENV)\r\n\t$(VENV)/bin/pip install \\\r\n\t\t-r requirements.txt\r\n';
    const refs = detect(text);
    for (const ref of refs) expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
    expect(refs.map((r) => [r.line, r.text, r.kind, r.environment])).toEqual([
      [1, 'VENV := .venv', 'venv-variable', '.venv'],
      [3, 'python3 -m venv $(VENV)', 'venv-create', '.venv'],
      [4, '$(VENV)/bin/pip install \\\r\n\t\t-r requirements.txt', 'pip-install', '.venv'],
    ]);
  });

  it('does not report look-alikes: comments, echo, define blocks, non-recipe text', () => {
    const text = [
      '# Run `python3 -m venv .venv` first',
      'HELP = pip install -r requirements.txt',
      'define USAGE',
      'python3 -m venv .venv',
      'endef',
      'MSG := use .venv/bin/python please',
      'help:',
      '\t@echo "python3 -m venv .venv && pip install -r requirements.txt"',
      '\t# .venv/bin/python x.py',
      'python3 -m venv notarecipe',
    ].join('\n');
    expect(detect(text)).toEqual([]);
  });

  it('never throws on malformed Makefiles', () => {
    for (const text of ['$(', 'a: $(b\n\t$(', 'define X\n', '\t\t\n:::=\n', 'x:=$($($(']) {
      expect(() => adapter.detect(text, 'Makefile', detectContext)).not.toThrow();
    }
    // Each variable doubles the one before: without a budget this never finishes.
    const doubling = Array.from({ length: 40 }, (_, i) => `V${i} = $(V${i + 1})$(V${i + 1})`);
    const bomb = `${doubling.join('\n')}\nVENV = $(V0)\nall:\n\t$(VENV)/bin/python x.py\n`;
    expect(unplaced(detect(bomb)).map((r) => [r.line, r.kind])).toEqual([
      [41, 'venv-variable'],
      [43, 'python-command'],
    ]);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const refs = adapter.detect(text, 'Makefile', detectContext)?.references ?? [];
        return refs.every((r) => text.slice(r.span.start, r.span.end) === r.text);
      }),
      { numRuns: 300 },
    );
  });
});
