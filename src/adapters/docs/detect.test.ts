import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectContext } from '../../../test/helpers/adapter.js';
import { ENV_PATH_PYTHON, ENV_UNKNOWN, type Reference } from '../types.js';
import { detectDocReferences, docDirectory, isDocFile } from './detect.js';

function detect(text: string, file = 'README.md'): Reference[] {
  return detectDocReferences(text, file, detectContext)?.references ?? [];
}

function brief(refs: Reference[]) {
  return refs.map((ref) => ({
    line: ref.line,
    text: ref.text,
    environment: ref.environment,
    command: ref.meta?.command,
  }));
}

describe('docs adapter', () => {
  it('reads Markdown and reStructuredText files; READMEs speak for their directory', () => {
    expect(
      ['README.md', 'docs/setup.markdown', 'guide.rst', 'notes.mdx', 'a.txt', 'md'].map(isDocFile),
    ).toEqual([true, true, true, true, false, false]);
    expect(
      ['README.md', 'replay/README.md', 'docs/setup.md', 'CLAUDE.md'].map(docDirectory),
    ).toEqual(['.', 'replay', '.', '.']);
  });

  it('reports the seed ticket README: venv creation, activation and installs in a fenced block', () => {
    const text =
      '# MSD\n\n## Python tooling\n\n```bash\npython3 -m venv scripts/.venv\nsource scripts/.venv/bin/activate\npip install tree-sitter fastmcp\n```\n';
    expect(detect(text)).toEqual([
      {
        file: 'README.md',
        line: 6,
        column: 1,
        span: { start: 34, end: 63 },
        text: 'python3 -m venv scripts/.venv',
        kind: 'doc-mention',
        adapter: 'docs',
        consumer: 'doc README.md',
        environment: 'scripts/.venv',
        skipReason: 'documentation',
        meta: {
          command: 'venv-create',
          block: 'fenced',
          language: 'bash',
          tool: 'venv',
          path: 'scripts/.venv',
        },
      },
      {
        file: 'README.md',
        line: 7,
        column: 8,
        span: { start: 71, end: 97 },
        text: 'scripts/.venv/bin/activate',
        kind: 'doc-mention',
        adapter: 'docs',
        consumer: 'doc README.md',
        environment: 'scripts/.venv',
        skipReason: 'documentation',
        meta: { command: 'venv-activate', block: 'fenced', language: 'bash' },
      },
      {
        file: 'README.md',
        line: 8,
        column: 1,
        span: { start: 98, end: 129 },
        text: 'pip install tree-sitter fastmcp',
        kind: 'doc-mention',
        adapter: 'docs',
        consumer: 'doc README.md',
        environment: 'scripts/.venv',
        skipReason: 'documentation',
        meta: {
          command: 'pip-install',
          block: 'fenced',
          language: 'bash',
          installer: 'pip',
          packages: ['tree-sitter', 'fastmcp'],
        },
      },
    ]);
  });

  it('reads inline code and prompt lines, not prose', () => {
    const text = `Activate the venv with \`source scripts/.venv/bin/activate\` first, then run
\`scripts/.venv/bin/python3 gen.py\`. The venv lives in \`scripts/.venv\`.

Do not run python3 -m venv .venv or pip install -r requirements.txt by hand.
    $ tools/venv/bin/pip install -r requirements.txt
`;
    expect(brief(detect(text, 'CLAUDE.md'))).toEqual([
      {
        line: 1,
        text: 'scripts/.venv/bin/activate',
        environment: 'scripts/.venv',
        command: 'venv-activate',
      },
      {
        line: 2,
        text: 'scripts/.venv/bin/python3',
        environment: 'scripts/.venv',
        command: 'python-command',
      },
      {
        line: 5,
        text: 'tools/venv/bin/pip install -r requirements.txt',
        environment: 'tools/venv',
        command: 'pip-install',
      },
    ]);
  });

  it('returns null for empty and code-free docs, never throws on broken Markdown', () => {
    expect(detectDocReferences('', 'README.md', detectContext)).toBeNull();
    expect(
      detectDocReferences(
        '# Title\n\nJust prose about python and venvs.\n',
        'README.md',
        detectContext,
      ),
    ).toBeNull();
    // An unclosed fence runs to the end of the file, as in CommonMark.
    expect(brief(detect('```sh\nsource .venv/bin/activate\n'))).toEqual([
      { line: 2, text: '.venv/bin/activate', environment: '.venv', command: 'venv-activate' },
    ]);
    expect(brief(detect('`unclosed source .venv/bin/activate\n``\n~~~\n'))).toEqual([]);
  });

  it('reports a doc already on the unified venv with that environment', () => {
    const text = '```sh\npython/setup.sh\nsource python/.venv/bin/activate\n```\n';
    expect(brief(detect(text))).toEqual([
      {
        line: 3,
        text: 'python/.venv/bin/activate',
        environment: 'python/.venv',
        command: 'venv-activate',
      },
    ]);
  });

  it('carries variables from block to block and reports unknown ones as such', () => {
    const text =
      '```sh\nVENV=tools/.venv\n```\n\nThen:\n\n```sh\n"$VENV/bin/python" -m tool\n$HOME/venvs/x/bin/python x.py\n```\n';
    const refs = detect(text);
    expect(brief(refs)).toEqual([
      { line: 2, text: 'VENV=tools/.venv', environment: 'tools/.venv', command: 'venv-variable' },
      {
        line: 8,
        text: '"$VENV/bin/python"',
        environment: 'tools/.venv',
        command: 'python-command',
      },
      {
        line: 9,
        text: '$HOME/venvs/x/bin/python',
        environment: ENV_UNKNOWN,
        command: 'python-command',
      },
    ]);
  });

  it('reads a README in a subdirectory from that directory, console blocks by their prompts', () => {
    const text =
      '```console\n$ source .venv/bin/activate\n(.venv) $ pip install -e .\nSuccessfully installed replay\n```\n';
    expect(brief(detect(text, 'replay/README.md'))).toEqual([
      {
        line: 2,
        text: '.venv/bin/activate',
        environment: 'replay/.venv',
        command: 'venv-activate',
      },
    ]);
  });

  it('does not report look-alikes: other languages, bare python, comments, prose', () => {
    const text = `Run \`python3 tools/gen.py\` and \`pytest\`.

\`\`\`python
import subprocess
subprocess.run(["python3", "-m", "venv", ".venv"])
\`\`\`

\`\`\`json
{ "command": "scripts/.venv/bin/python3" }
\`\`\`

<!--
source scripts/.venv/bin/activate
-->

\`\`\`bash
# source scripts/.venv/bin/activate
echo "pip install -r requirements.txt"
python3 -m pytest
\`\`\`
`;
    expect(detect(text)).toEqual([]);
  });

  it('keeps exact spans with CRLF line endings and indented fences', () => {
    const text =
      '- Setup:\r\n\r\n  ```sh\r\n  python3 -m venv scripts/.venv\r\n  scripts/.venv/bin/pip install -r scripts/requirements.txt\r\n  ```\r\n- Use `. scripts/.venv/bin/activate`\r\n';
    const refs = detect(text);
    expect(brief(refs)).toEqual([
      {
        line: 4,
        text: 'python3 -m venv scripts/.venv',
        environment: 'scripts/.venv',
        command: 'venv-create',
      },
      {
        line: 5,
        text: 'scripts/.venv/bin/pip install -r scripts/requirements.txt',
        environment: 'scripts/.venv',
        command: 'pip-install',
      },
      {
        line: 7,
        text: 'scripts/.venv/bin/activate',
        environment: 'scripts/.venv',
        command: 'venv-activate',
      },
    ]);
    for (const ref of refs) expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
  });

  it('reads reStructuredText code blocks, literal blocks and inline literals', () => {
    const text = `Setup
=====

.. code-block:: bash
   :linenos:

   python3 -m venv .venv
   . .venv/bin/activate

Or by hand::

    virtualenv env

Then run \`\`pip install -r requirements.txt\`\`.

.. code-block:: python

   os.system("python3 -m venv x")
`;
    expect(brief(detect(text, 'docs/setup.rst'))).toEqual([
      { line: 7, text: 'python3 -m venv .venv', environment: '.venv', command: 'venv-create' },
      { line: 8, text: '.venv/bin/activate', environment: '.venv', command: 'venv-activate' },
      { line: 12, text: 'virtualenv env', environment: 'env', command: 'venv-create' },
      {
        line: 14,
        text: 'pip install -r requirements.txt',
        environment: ENV_PATH_PYTHON,
        command: 'pip-install',
      },
    ]);
  });

  it('never throws and keeps spans in bounds on arbitrary and mutated input', () => {
    const seed =
      '# T\n\n```sh\nVENV=.venv\nsource $VENV/bin/activate\npip install -r r.txt\n```\n\nUse `python3 -m venv x` or\n    $ .venv/bin/python a.py\n\n.. code-block:: bash\n\n   virtualenv e\n';
    const mutated = fc
      .tuple(fc.nat(seed.length), fc.nat(20), fc.string({ maxLength: 8 }))
      .map(([at, cut, insert]) => seed.slice(0, at) + insert + seed.slice(at + cut));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated), (text) => {
        for (const file of ['README.md', 'docs/x.rst']) {
          for (const ref of detectDocReferences(text, file, detectContext)?.references ?? []) {
            expect(ref.span.start).toBeGreaterThanOrEqual(0);
            expect(ref.span.end).toBeLessThanOrEqual(text.length);
            expect(text.slice(ref.span.start, ref.span.end)).toBe(ref.text);
            expect([ref.kind, ref.skipReason]).toEqual(['doc-mention', 'documentation']);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
