// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflows spell expressions ${{ … }} and shell variables ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectContext, expectExactSpans, unplaced } from '../../../test/helpers/adapter.js';
import { ENV_PATH_PYTHON, ENV_UNKNOWN, type Reference } from '../types.js';
import { adapter } from './index.js';

const FILE = '.github/workflows/ci.yml';

function detect(text: string): Reference[] {
  return adapter.detect(text, FILE, detectContext)?.references ?? [];
}

describe('github-workflows adapter', () => {
  it('reads .github/workflows/*.yml and *.yaml only', () => {
    expect(
      [
        '.github/workflows/ci.yml',
        '.github/workflows/release.yaml',
        '.github/workflows/sub/x.yml',
        '.github/dependabot.yml',
        'workflows/ci.yml',
        'docs/.github/workflows/ci.yml',
      ].map((f) => adapter.matches(f, '')),
    ).toEqual([true, true, false, false, false, false]);
  });

  it('returns null for empty, non-mapping and Python-free workflows', () => {
    expect(adapter.detect('', FILE, detectContext)).toBeNull();
    expect(adapter.detect('- just\n- a list\n', FILE, detectContext)).toBeNull();
    expect(
      adapter.detect(
        'on: push\njobs:\n  b:\n    steps:\n      - run: make test\n',
        FILE,
        detectContext,
      ),
    ).toBeNull();
  });

  it('reports setup-python, venv creation and installs in run steps with exact spans', () => {
    const text = [
      'on: push',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - uses: actions/setup-python@v5',
      '        with:',
      '          python-version: 3.10',
      '      - name: Set up',
      '        run: |',
      '          python3 -m venv scripts/.venv',
      '          scripts/.venv/bin/pip install -r scripts/requirements.txt',
      '      - run: scripts/.venv/bin/python3 scripts/index.py',
      '',
    ].join('\n');
    expect(detect(text)).toEqual([
      {
        file: FILE,
        line: 7,
        column: 15,
        span: { start: 109, end: 132 },
        text: 'actions/setup-python@v5',
        kind: 'setup-python',
        adapter: 'github-workflows',
        consumer: `workflow ${FILE} job test`,
        environment: ENV_PATH_PYTHON,
        meta: { action: 'actions/setup-python@v5', 'python-version': '3.10' },
      },
      {
        file: FILE,
        line: 12,
        column: 11,
        span: { start: 224, end: 253 },
        text: 'python3 -m venv scripts/.venv',
        kind: 'venv-create',
        adapter: 'github-workflows',
        consumer: `workflow ${FILE} job test`,
        environment: 'scripts/.venv',
        meta: { tool: 'venv', path: 'scripts/.venv' },
      },
      {
        file: FILE,
        line: 13,
        column: 11,
        span: { start: 264, end: 321 },
        text: 'scripts/.venv/bin/pip install -r scripts/requirements.txt',
        kind: 'pip-install',
        adapter: 'github-workflows',
        consumer: `workflow ${FILE} job test`,
        environment: 'scripts/.venv',
        meta: { installer: 'pip', requirements: ['scripts/requirements.txt'] },
      },
      {
        file: FILE,
        line: 14,
        column: 14,
        span: { start: 335, end: 360 },
        text: 'scripts/.venv/bin/python3',
        kind: 'python-command',
        adapter: 'github-workflows',
        consumer: `workflow ${FILE} job test`,
        environment: 'scripts/.venv',
      },
    ]);
  });

  it('reports references already on the unified venv', () => {
    const text =
      'jobs:\n  check:\n    steps:\n      - run: python/setup.sh && python/.venv/bin/python -m pytest\n';
    expect(unplaced(detect(text))).toEqual([
      {
        line: 4,
        text: 'python/.venv/bin/python',
        kind: 'python-command',
        consumer: `workflow ${FILE} job check`,
        environment: 'python/.venv',
        meta: { module: 'pytest' },
      },
    ]);
  });

  it('reads env maps, working-directory and expressions; unknown ones are contains-variable', () => {
    const text = [
      'env:',
      '  VENV: tools/.venv',
      '  PYTHONPATH: ${{ github.workspace }}/src',
      'jobs:',
      '  docs:',
      '    defaults:',
      '      run:',
      '        working-directory: replay',
      '    env:',
      '      PY: ${{ matrix.python }}',
      '    steps:',
      '      - run: source "$GITHUB_WORKSPACE/$VENV/bin/activate"',
      '      - run: .venv/bin/python x.py',
      '      - run: $PY y.py',
      '        working-directory: ${{ github.workspace }}/tools',
      '      - run: .venv/bin/python z.py',
      '        working-directory: ${{ inputs.dir }}',
    ].join('\n');
    const refs = detect(text);
    expectExactSpans(text, refs);
    expect(unplaced(refs)).toEqual([
      {
        line: 2,
        text: 'tools/.venv',
        kind: 'venv-variable',
        consumer: `workflow ${FILE}`,
        environment: 'tools/.venv',
        meta: { variable: 'VENV' },
      },
      {
        line: 3,
        text: '${{ github.workspace }}/src',
        kind: 'pythonpath',
        consumer: `workflow ${FILE}`,
        environment: ENV_PATH_PYTHON,
        meta: { paths: ['src'] },
      },
      {
        line: 10,
        text: '${{ matrix.python }}',
        kind: 'venv-variable',
        consumer: `workflow ${FILE} job docs`,
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'PY' },
      },
      {
        line: 12,
        text: '"$GITHUB_WORKSPACE/$VENV/bin/activate"',
        kind: 'venv-activate',
        consumer: `workflow ${FILE} job docs`,
        environment: 'tools/.venv',
        meta: { variable: 'GITHUB_WORKSPACE' },
      },
      {
        line: 13,
        text: '.venv/bin/python',
        kind: 'python-command',
        consumer: `workflow ${FILE} job docs`,
        environment: 'replay/.venv',
      },
      {
        line: 14,
        text: '$PY',
        kind: 'python-command',
        consumer: `workflow ${FILE} job docs`,
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
        meta: { variable: 'PY' },
      },
      {
        line: 16,
        text: '.venv/bin/python',
        kind: 'python-command',
        consumer: `workflow ${FILE} job docs`,
        environment: ENV_UNKNOWN,
        skipReason: 'contains-variable',
      },
    ]);
  });

  it('carries $GITHUB_PATH and $GITHUB_ENV to the later steps of the same job only', () => {
    const text = [
      'jobs:',
      '  a:',
      '    steps:',
      '      - run: |',
      '          python3 -m venv .venv',
      '          echo "$GITHUB_WORKSPACE/.venv/bin" >> "$GITHUB_PATH"',
      '          echo "TOOLS=tools/.venv" >> "$GITHUB_ENV"',
      '      - run: python -m pytest && rm -rf "$TOOLS"',
      '  b:',
      '    steps:',
      '      - run: python -m pytest',
    ].join('\n');
    const refs = detect(text);
    expectExactSpans(text, refs);
    expect(refs.map((r) => [r.line, r.text, r.kind, r.consumer, r.environment, r.meta])).toEqual([
      [
        5,
        'python3 -m venv .venv',
        'venv-create',
        `workflow ${FILE} job a`,
        '.venv',
        { tool: 'venv', path: '.venv' },
      ],
      [
        6,
        '"$GITHUB_WORKSPACE/.venv/bin"',
        'venv-activate',
        `workflow ${FILE} job a`,
        '.venv',
        { via: 'GITHUB_PATH' },
      ],
      [
        7,
        '"TOOLS=tools/.venv"',
        'venv-variable',
        `workflow ${FILE} job a`,
        'tools/.venv',
        { variable: 'TOOLS', via: 'GITHUB_ENV' },
      ],
      [8, 'python', 'python-command', `workflow ${FILE} job a`, '.venv', { module: 'pytest' }],
      [
        8,
        '"$TOOLS"',
        'venv-variable',
        `workflow ${FILE} job a`,
        'tools/.venv',
        { variable: 'TOOLS', use: true },
      ],
      [
        11,
        'python',
        'python-command',
        `workflow ${FILE} job b`,
        ENV_PATH_PYTHON,
        { module: 'pytest' },
      ],
    ]);
  });

  it('maps folded, quoted and literal scalars back exactly, CRLF included', () => {
    const text = [
      'jobs:',
      '  build:',
      '    steps:',
      '      - run: >-',
      '          scripts/.venv/bin/pip install',
      '          -r requirements.txt',
      '      - run: "cd tools && \\"$PWD/.venv/bin/python\\" \\',
      '          -m build"',
      "      - run: 'python3 -c ''print(1)'''",
      '      - run: |+',
      '          cat <<-EOF',
      '          python3 -m venv not-a-venv',
      '          EOF',
      '          uv venv .venv',
      '',
    ].join('\r\n');
    const refs = detect(text);
    expectExactSpans(text, refs);
    expect(refs.map((r) => [r.line, r.text, r.kind, r.environment])).toEqual([
      [
        5,
        'scripts/.venv/bin/pip install\r\n          -r requirements.txt',
        'pip-install',
        'scripts/.venv',
      ],
      [7, '\\"$PWD/.venv/bin/python\\"', 'python-command', 'tools/.venv'],
      [9, 'python3', 'python-command', ENV_PATH_PYTHON],
      [14, 'uv venv .venv', 'venv-create', '.venv'],
    ]);
  });

  it('does not report look-alikes: comments, names, echo, other actions, python shells', () => {
    const text = [
      '# python3 -m venv .venv',
      'name: python3 -m venv .venv',
      'jobs:',
      '  lint:',
      '    name: pip install',
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
    ].join('\n');
    expect(detect(text)).toEqual([]);
  });

  it('never throws on malformed YAML', () => {
    const broken = [
      'jobs: [',
      'jobs:\n  a:\n    steps:\n      - run: "unterminated',
      'jobs:\n  a:\n    steps: 3',
      'jobs:\n  a:\n    steps:\n      - run: |\n  bad indent\n',
      '{{{',
      'jobs:\n  a: &x\n    steps: *x\n',
      'jobs:\n  a:\n    steps:\n      - run: python3 x.py\n  a:\n    steps: []\n',
    ];
    for (const text of broken)
      expect(() => adapter.detect(text, FILE, detectContext)).not.toThrow();
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (tail) => {
        const text = `jobs:\n  a:\n    steps:\n      - run: ${tail}`;
        const refs = adapter.detect(text, FILE, detectContext)?.references ?? [];
        return refs.every((r) => text.slice(r.span.start, r.span.end) === r.text);
      }),
      { numRuns: 300 },
    );
  });
});
