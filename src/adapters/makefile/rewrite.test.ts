import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realSystemPython } from '../../../test/helpers/python-install.js';
import {
  expectOnlySkippedLeft,
  type RewriteRun,
  runRewriter,
  skips,
} from '../../../test/helpers/rewrite.js';
import type { AdoptFacts } from '../../core/adopt/types.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

const FACTS: Partial<AdoptFacts> = {
  declaredPackages: ['fastapi', 'pytest', 'requests', 'svc', 'uvicorn'],
  editables: ['svc'],
  paths: ['build/debug/python'],
};

/**
 * Rewrites as adopt does and checks what every rewrite must hold: every reference still
 * off the unified venv is one the rewriter skipped, a second rewrite changes nothing, and
 * GNU make still reads the file (`make -n` on each target prints the recipes).
 */
function rewrite(text: string, file = 'Makefile', facts: Partial<AdoptFacts> = FACTS): RewriteRun {
  const run = runRewriter(adapter, rewriter, text, file, { facts });
  expectOnlySkippedLeft(run);
  expect(runRewriter(adapter, rewriter, run.text, file, { facts }).result.edits).toEqual([]);
  const check = spawnSync('make', ['-n', '-f', '-', '--no-print-directory'], {
    input: run.text.replace(/\r\n/g, '\n'),
    encoding: 'utf8',
    cwd: os.tmpdir(),
  });
  expect(check.stderr).not.toMatch(/\*\*\*.*(?:missing separator|unterminated|invalid)/);
  return run;
}

const SVC = [
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
  '\trm -rf $(VENV) build',
  '',
].join('\n');

describe('makefile rewriter', () => {
  it('moves venv variables; recipes run setup.sh instead of building a venv; clean keeps the shared venv', () => {
    const run = rewrite(SVC, 'svc/Makefile');
    expect(run.text).toEqual(
      [
        'VENV ?= ../python/.venv',
        'PYTHON := $(VENV)/bin/python',
        'PIP = $(PYTHON) -m pip',
        '',
        '.PHONY: venv test clean',
        'venv: $(VENV)/bin/activate',
        '$(VENV)/bin/activate: requirements.txt',
        '\t../python/setup.sh',
        '\t@touch $@',
        '',
        'test: venv ; $(PYTHON) -m pytest',
        'clean:',
        '\trm -rf build',
        '',
      ].join('\n'),
    );
    expect(run.result.edits.map((e) => e.reason)).toEqual([
      '$(VENV) → python/.venv',
      'venv creation → python/setup.sh',
      'pip install removed: python/requirements.txt holds it',
      'rm of the old venv removed',
    ]);
    expect(run.result.notes).toEqual([
      '$(VENV) taken out of rm at line 15: it would now delete python/.venv',
    ]);
    expect(run.after.map((r) => [r.line, r.text, r.environment])).toEqual([
      [1, 'VENV ?= ../python/.venv', 'python/.venv'],
      [2, 'PYTHON := $(VENV)/bin/python', 'python/.venv'],
      [3, 'PIP = $(PYTHON) -m pip', 'python/.venv'],
      [11, '$(PYTHON)', 'python/.venv'],
    ]);
  });

  it('keeps CRLF; interpreter variables, PYTHONPATH and paths after a cd move', () => {
    const run = rewrite(
      'PY ?= python3\r\nexport PYTHONPATH := $(CURDIR)/build/debug/python:$(PYTHONPATH)\r\ndocs:\r\n\t$(PY) scripts/docs.py\r\n\tpython3 -m pip install requests\r\nrun:\r\n\tcd tools && .venv/bin/python x.py\r\n\t.venv/bin/python y.py\r\n',
    );
    expect(run.text).toEqual(
      'PY ?= python/.venv/bin/python3\r\ndocs:\r\n\t$(PY) scripts/docs.py\r\nrun:\r\n\tcd tools && "$(CURDIR)/python/.venv/bin/python" x.py\r\n\tpython/.venv/bin/python y.py\r\n',
    );
    expect(run.result.edits.map((e) => e.reason)).toContain(
      'PYTHONPATH removed: python/.venv has build/debug/python on sys.path',
    );
  });

  it('skips values built from variables it cannot resolve, and installs the lock does not hold', () => {
    const text =
      'TOOLS_VENV = $(HOME)/.venvs/tools\nrun:\n\t$(TOOLS_VENV)/bin/python c.py\n\tif [ ! -d .venv ]; then python3 -m venv .venv; fi\n\t. .venv/bin/activate && pip install left-pad && python -m x\n';
    const run = rewrite(text);
    expect(run.text).toEqual(
      'TOOLS_VENV = $(HOME)/.venvs/tools\nrun:\n\t$(TOOLS_VENV)/bin/python c.py\n\tpython/setup.sh\n\t. python/.venv/bin/activate && pip install left-pad && python -m x\n',
    );
    const unresolved =
      'built from a variable onevenv cannot resolve: point it at python/.venv by hand';
    expect(skips(run)).toEqual([
      ['TOOLS_VENV = $(HOME)/.venvs/tools', unresolved],
      ['$(TOOLS_VENV)/bin/python', unresolved],
      [
        'pip install left-pad',
        'installs left-pad, which python/pyproject.toml does not declare: add it (onevenv add), then remove this install',
      ],
    ]);
  });

  it('keeps a venv variable whose move would change what a skipped recipe runs', () => {
    // Fuzz finding: moving VENV made /opt$(VENV) name /optpython/.venv, a change nobody asked for.
    const text = 'VENV := .venv\nall:\n\t$(VENV)/bin/python y.py\n\t/opt$(VENV)/bin/python x.py\n';
    const run = rewrite(text);
    expect(run.text).toEqual(text);
    expect(skips(run)).toEqual([
      ['/opt$(VENV)/bin/python', 'names /opt.venv, outside the repository: left as it is'],
      [
        'VENV := .venv',
        'could not move $(VENV): set it to python/.venv by hand (moving it would make /opt$(VENV)/bin/python name /optpython/.venv)',
      ],
      ['$(VENV)/bin/python', 'built from $VENV, which stays: point it at python/.venv by hand'],
    ]);
  });

  it('keeps a PYTHONPATH that names the sources, and says why', () => {
    const run = rewrite(
      'export PYTHONPATH := $(CURDIR)/src:$(PYTHONPATH)\ntest:\n\tpython/.venv/bin/python -m pytest\n',
    );
    expect(run.result.edits).toEqual([]);
    expect(skips(run)).toEqual([
      [
        'PYTHONPATH := $(CURDIR)/src:$(PYTHONPATH)',
        'PYTHONPATH names what python/.venv does not put on sys.path: add it to [tool.onevenv] paths, or keep it',
      ],
    ]);
  });

  it('changes nothing in a Makefile already on the shared venv, or without Python', () => {
    for (const text of [
      'PYTHON := python/.venv/bin/python3\nsetup:\n\tpython/setup.sh\ndocs:\n\t$(PYTHON) scripts/docs.py\n',
      'all:\n\tcc -o app main.c\n',
      '',
    ]) {
      expect(rewrite(text).result).toEqual({ edits: [], skipped: [], notes: [] });
    }
  });

  it('leaves look-alikes alone: comments, echo, define blocks, prose variables', () => {
    const text = [
      '# Run `python3 -m venv .venv` first',
      'HELP = pip install -r requirements.txt',
      'define USAGE',
      'python3 -m venv .venv',
      'endef',
      'help:',
      '\t@echo "python3 -m venv .venv && pip install -r requirements.txt"',
      'setup:',
      '\tpython3 -m venv .venv',
      '',
    ].join('\n');
    const run = rewrite(text);
    expect(run.text).toEqual(text.replace('\tpython3 -m venv .venv\n', '\tpython/setup.sh\n'));
  });

  it('holds for generated recipes: everything moves or is skipped, and a second run changes nothing', () => {
    const line = fc.constantFrom(
      '\tpython3 -m venv $(VENV)',
      '\tpython3 -m venv .venv',
      '\t$(VENV)/bin/pip install -r requirements.txt',
      '\t$(PIP) install requests',
      '\tpip install left-pad',
      '\t. $(VENV)/bin/activate && python -m pytest',
      '\t.venv/bin/python tool.py',
      '\t$(PYTHON) -m pytest',
      '\tcd sub && $(PYTHON) x.py',
      '\trm -rf $(VENV)',
      '\t@echo "python3 -m venv .venv"',
      '\t# .venv/bin/python x.py',
    );
    const variables = fc.subarray([
      'VENV ?= .venv',
      'PYTHON := $(VENV)/bin/python',
      'PIP = $(PYTHON) -m pip',
      'PY = python3',
    ]);
    fc.assert(
      fc.property(
        variables,
        fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.array(line, { maxLength: 4 })), {
          maxLength: 3,
        }),
        fc.constantFrom('Makefile', 'svc/Makefile'),
        (vars, rules, file) => {
          const text = `${vars.join('\n')}\n${rules.map(([target, lines]) => `${target}:\n${lines.join('\n')}`).join('\n')}\n`;
          rewrite(text, file);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('a rewritten Makefile, run by make', () => {
  let repo: string;

  beforeAll(async () => {
    repo = await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-makefile-'));
    await fs.mkdir(path.join(repo, 'svc'), { recursive: true });
    const text = `${SVC}prefix:\n\t$(PYTHON) -c "import sys; print(sys.prefix)"\n`;
    const run = rewrite(text, 'svc/Makefile');
    await fs.writeFile(path.join(repo, 'svc/Makefile'), run.text);
    // A stand-in for the generated python/setup.sh: a real venv, no packages needed here.
    await fs.mkdir(path.join(repo, 'python'));
    await fs.writeFile(
      path.join(repo, 'python/setup.sh'),
      `#!/bin/sh\nset -e\ncd "$(dirname "$0")"\n"${realSystemPython()}" -m venv --without-pip .venv\n`,
      { mode: 0o755 },
    );
    await fs.writeFile(path.join(repo, 'svc/requirements.txt'), 'requests\n');
  });

  afterAll(async () => {
    await fs.rm(repo, { recursive: true, force: true });
  });

  it('builds the venv through python/setup.sh and runs the shared venv interpreter', () => {
    const make = (target: string) =>
      execFileSync('make', ['--no-print-directory', '-C', path.join(repo, 'svc'), target], {
        encoding: 'utf8',
      });
    expect(make('venv')).toEqual('../python/setup.sh\n');
    expect(make('prefix').split('\n').slice(-2)).toEqual([path.join(repo, 'python/.venv'), '']);
    expect(make('clean')).toEqual('rm -rf build\n');
    expect(spawnSync('test', ['-x', path.join(repo, 'python/.venv/bin/python')]).status).toBe(0);
  });
});
