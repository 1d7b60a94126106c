// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflows spell expressions ${{ … }} and shell variables ${name}.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import {
  expectOnlySkippedLeft,
  type RewriteRun,
  runRewriter,
  skips,
} from '../../../test/helpers/rewrite.js';
import type { AdoptFacts } from '../../core/adopt/types.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

const FILE = '.github/workflows/ci.yml';
const FACTS: Partial<AdoptFacts> = {
  declaredPackages: ['fastapi', 'pytest', 'replay', 'requests', 'uvicorn'],
  editables: ['replay'],
  paths: ['build/debug/python'],
};
const PATH_LINE = 'echo "$GITHUB_WORKSPACE/python/.venv/bin" >> "$GITHUB_PATH"';
const KEEP_SETUP_PYTHON =
  'kept: it provides the python3 that python/setup.sh builds python/.venv from';

/** Every `run:` of the workflow, in order. */
function runs(text: string): string[] {
  const doc = parseDocument(text);
  const out: string[] = [];
  const jobs = doc.get('jobs', true);
  if (!isMap(jobs)) return out;
  for (const job of jobs.items) {
    const steps = isMap(job.value) ? job.value.get('steps', true) : undefined;
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step) || String(step.get('shell') ?? '').startsWith('python')) continue;
      const run = step.get('run', true);
      if (isScalar(run) && typeof run.value === 'string') out.push(run.value);
    }
  }
  return out;
}

/**
 * Rewrites as adopt does and checks what every rewrite must hold: the YAML still parses,
 * every run step still passes `bash -n`, every reference still off the unified venv is one
 * the rewriter skipped, and a second rewrite changes nothing.
 */
function rewrite(text: string, facts: Partial<AdoptFacts> = FACTS): RewriteRun {
  const run = runRewriter(adapter, rewriter, text, FILE, { facts });
  expect(parseDocument(run.text).errors).toEqual([]);
  for (const script of runs(run.text)) {
    expect(spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' }).stderr).toBe('');
  }
  expectOnlySkippedLeft(run);
  expect(runRewriter(adapter, rewriter, run.text, FILE, { facts }).result.edits).toEqual([]);
  return run;
}

describe('github-workflows rewriter', () => {
  it('replaces a set-up step with setup.sh, puts the venv on PATH, moves the later steps, keeps setup-python', () => {
    const text = [
      'on: push',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - uses: actions/setup-python@v5',
      '        with:',
      '          python-version: "3.11"',
      '      - name: Install dependencies',
      '        run: |',
      '          python -m venv .venv',
      '          source .venv/bin/activate',
      '          pip install --upgrade pip',
      '          pip install -r requirements.txt',
      '      - name: Test',
      '        run: |',
      '          source .venv/bin/activate',
      '          pytest',
      '      - run: .venv/bin/python -m pytest',
      '',
    ].join('\n');
    const run = rewrite(text);
    expect(run.text).toEqual(
      [
        'on: push',
        'jobs:',
        '  test:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - uses: actions/setup-python@v5',
        '        with:',
        '          python-version: "3.11"',
        '      - name: Install dependencies',
        '        run: |',
        '          python/setup.sh',
        `          ${PATH_LINE}`,
        '      - name: Test',
        '        run: |',
        '          source python/.venv/bin/activate',
        '          pytest',
        '      - run: python/.venv/bin/python -m pytest',
        '',
      ].join('\n'),
    );
    expect(run.result.edits.map((e) => e.reason)).toEqual([
      'environment set-up → python/setup.sh',
      'activation → python/.venv',
      'interpreter → python/.venv/bin/python',
    ]);
    expect(skips(run)).toEqual([['actions/setup-python@v5', KEEP_SETUP_PYTHON]]);
  });

  it('turns an install into the runner’s Python into setup.sh, in a block or on the line of a comment', () => {
    const run = rewrite(
      [
        'jobs:',
        '  lint:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/setup-python@v5',
        '      - run: pip install -r requirements.txt',
        "      - run: 'python -m pip install requests' # deps",
        '      - run: python -m pytest',
        '',
      ].join('\n'),
    );
    expect(run.text).toEqual(
      [
        'jobs:',
        '  lint:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/setup-python@v5',
        '      - run: |-',
        '          python/setup.sh',
        `          ${PATH_LINE}`,
        `      - run: 'python/setup.sh && ${PATH_LINE}' # deps`,
        '      - run: python -m pytest',
        '',
      ].join('\n'),
    );
    // The bare python of the last step now runs the venv on PATH.
    expect(run.after.filter((r) => r.kind === 'python-command').map((r) => r.environment)).toEqual([
      'python/.venv',
    ]);
  });

  it('sets up inside a step that does more, activating for the rest of it; keeps CRLF', () => {
    const run = rewrite(
      [
        'jobs:',
        '  t:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: pip install -r requirements.txt && pytest -q',
        '      - run: |',
        '          pip install pytest',
        '          python -m pytest',
        '',
      ].join('\r\n'),
    );
    expect(run.text).toEqual(
      [
        'jobs:',
        '  t:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        `      - run: python/setup.sh && ${PATH_LINE} && . python/.venv/bin/activate && pytest -q`,
        '      - run: |',
        '          python -m pytest',
        '',
      ].join('\r\n'),
    );
  });

  it('moves env venv variables, drops a PYTHONPATH the venv provides, anchors paths under a working-directory', () => {
    const run = rewrite(
      [
        'env:',
        '  PYTHONPATH: ${{ github.workspace }}/build/debug/python',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    env:',
        '      VENV: tools/.venv',
        '    steps:',
        '      - run: |',
        '          python3 -m venv "$VENV"',
        '          "$VENV/bin/pip" install requests && "$VENV/bin/python" -m pytest',
        '      - run: tools/.venv/bin/python x.py',
        '        working-directory: ${{ github.workspace }}',
        '      - run: "cd docs && ../tools/.venv/bin/python build.py"',
        '',
      ].join('\n'),
    );
    expect(run.text).toEqual(
      [
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    env:',
        '      VENV: python/.venv',
        '    steps:',
        '      - run: |',
        '          python/setup.sh',
        `          ${PATH_LINE}`,
        '          "$VENV/bin/python" -m pytest',
        '      - run: $GITHUB_WORKSPACE/python/.venv/bin/python x.py',
        '        working-directory: ${{ github.workspace }}',
        '      - run: "cd docs && $GITHUB_WORKSPACE/python/.venv/bin/python build.py"',
        '',
      ].join('\n'),
    );
    expect(run.result.skipped).toEqual([]);
  });

  it('skips values built from expressions it cannot resolve, with the reason', () => {
    const run = rewrite(
      [
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: ${{ matrix.venv }}/bin/python x.py',
        '      - run: scripts/.venv/bin/python y.py',
        '',
      ].join('\n'),
    );
    expect(run.text).toContain('      - run: ${{ matrix.venv }}/bin/python x.py\n');
    expect(run.text).toContain('      - run: python/.venv/bin/python y.py\n');
    expect(skips(run)).toEqual([
      [
        '${{ matrix.venv }}/bin/python',
        'built from a variable onevenv cannot resolve: point it at python/.venv by hand',
      ],
    ]);
  });

  it('changes nothing in a workflow already on the shared venv, or without Python', () => {
    const unified = rewrite(
      'jobs:\n  c:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v5\n      - run: python/setup.sh && python/.venv/bin/python -m pytest\n',
    );
    expect(unified.result.edits).toEqual([]);
    expect(skips(unified)).toEqual([['actions/setup-python@v5', KEEP_SETUP_PYTHON]]);
    expect(rewrite('on: push\njobs:\n  b:\n    steps:\n      - run: make test\n').result).toEqual({
      edits: [],
      skipped: [],
      notes: [],
    });
  });

  it('leaves look-alikes alone: comments, names, echo, other actions, python shells', () => {
    const text = [
      '# python3 -m venv .venv',
      'name: python3 -m venv .venv',
      'jobs:',
      '  lint:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - name: source .venv/bin/activate',
      '        uses: actions/cache@v4',
      '        with:',
      '          path: .venv/bin/python',
      '      - run: echo "pip install -r requirements.txt"  # python3 x.py',
      '      - shell: python',
      '        run: import subprocess; subprocess.run(["python3", "-m", "venv", ".venv"])',
      '      - run: |',
      '          # python3 -m venv .venv',
      '          git commit -m "python3 -m venv"',
      '          python3 -m venv .venv',
      '',
    ].join('\n');
    const run = rewrite(text);
    expect(run.text).toEqual(
      text.replace('          python3 -m venv .venv\n', '          python/setup.sh\n'),
    );
  });

  it('leaves Windows jobs and PowerShell steps as they are, saying why', () => {
    const run = rewrite(
      [
        'jobs:',
        '  w:',
        '    runs-on: windows-latest',
        '    steps:',
        '      - run: python -m venv .venv',
        '  p:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: python -m venv .venv',
        '        shell: pwsh',
        '',
      ].join('\n'),
    );
    expect(run.result.edits).toEqual([]);
    expect(skips(run)).toEqual([
      [
        'python -m venv .venv',
        'runs on Windows, where python/setup.sh (POSIX sh) does not run: move this job by hand',
      ],
      ['python -m venv .venv', 'runs in pwsh, not a POSIX shell: move this step by hand'],
    ]);
  });

  it('leaves a workflow that does not parse as it is', () => {
    const text = 'jobs:\n  a:\n    steps:\n      - run: "python3 -m venv .venv\n';
    const run = runRewriter(adapter, rewriter, text, FILE, { facts: FACTS });
    expect(run.result.edits).toEqual([]);
  });

  it('holds for generated workflows: valid YAML, everything moves or is skipped, a second run changes nothing', () => {
    const command = fc.constantFrom(
      'python -m venv .venv',
      'python3 -m venv tools/.venv',
      'source .venv/bin/activate',
      'pip install -r requirements.txt',
      'pip install left-pad',
      '.venv/bin/pip install requests',
      'python -m pip install --upgrade pip',
      '.venv/bin/python -m pytest',
      'python -m pytest',
      'pytest -q',
      'echo "python -m venv .venv"',
      'cd docs',
    );
    const step = fc.tuple(
      fc.constantFrom('literal', 'plain', 'double', 'single', 'folded'),
      fc.array(command, { minLength: 1, maxLength: 4 }),
    );
    const render = ([style, commands]: [string, string[]]): string => {
      const joined = commands.join(' && ');
      switch (style) {
        case 'literal':
          return `      - run: |\n${commands.map((c) => `          ${c}`).join('\n')}`;
        case 'folded':
          return `      - run: >-\n          ${joined}`;
        case 'double':
          return `      - run: "${joined.replace(/["\\]/g, '\\$&')}"`;
        case 'single':
          return `      - run: '${joined.replace(/'/g, "''")}'`;
        default:
          return /^["'>|&*!%@`#-]|: | #/.test(joined)
            ? `      - run: '${joined.replace(/'/g, "''")}'`
            : `      - run: ${joined}`;
      }
    };
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (steps, setupPython) => {
          const text = [
            'jobs:',
            '  j:',
            '    runs-on: ubuntu-latest',
            '    steps:',
            ...(setupPython ? ['      - uses: actions/setup-python@v5'] : []),
            ...steps.map(render),
            '',
          ].join('\n');
          rewrite(text);
        },
      ),
      { numRuns: 120 },
    );
  });
});
