import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commandLines,
  expectOnlySkippedLeft,
  expectRewriteSettled,
  type RewriteRun,
  runRewriter,
} from '../../../test/helpers/rewrite.js';
import type { AdoptFacts } from '../../core/adopt/types.js';
import { adapter } from './index.js';
import { rewriter } from './rewrite.js';

const FACTS: Partial<AdoptFacts> = {
  declaredPackages: ['tree-sitter', 'fastmcp', 'fastapi', 'pytest'],
  editables: ['replay'],
  paths: ['build/Debug/python'],
};

function rewrite(text: string, file = 'README.md', docs = true): RewriteRun {
  return runRewriter(adapter, rewriter, text, file, { facts: { ...FACTS, options: { docs } } });
}

/** Every reference is on the unified venv or gone, skipped ones apart; a second run changes nothing. */
function expectSettled(run: RewriteRun, file = 'README.md'): void {
  expectRewriteSettled(run, (text) => rewrite(text, file));
}

const SEED =
  '# MSD\n\n## Python tooling\n\nThe tools need the scripts venv:\n\n```bash\npython3 -m venv scripts/.venv\nsource scripts/.venv/bin/activate\npip install tree-sitter fastmcp\n```\n\nThen run `scripts/.venv/bin/python3 scripts/traceability/index_git.py`.\n';

describe('docs rewriter', () => {
  it('with --docs, rewrites the seed README: setup.sh, activation of python/.venv, install gone', () => {
    const run = rewrite(SEED);
    expect(run.text).toEqual(
      '# MSD\n\n## Python tooling\n\nThe tools need the scripts venv:\n\n```bash\npython/setup.sh\nsource python/.venv/bin/activate\n```\n\nThen run `python/.venv/bin/python3 scripts/traceability/index_git.py`.\n',
    );
    expect(run.result.edits.map((edit) => edit.reason)).toEqual([
      'venv creation → python/setup.sh',
      'activation → python/.venv',
      'pip install removed: python/requirements.txt holds it',
      'interpreter → python/.venv/bin/python3',
    ]);
    expectSettled(run);
  });

  it('without --docs, reports each line with the text it would become', () => {
    const run = rewrite(SEED, 'README.md', false);
    expect(run.result.edits).toEqual([]);
    expect(
      run.result.skipped.map((entry) => [entry.reference.text, entry.reason, entry.suggestion]),
    ).toEqual([
      [
        'python3 -m venv scripts/.venv',
        'documentation is reported, not rewritten (adopt --docs rewrites it)',
        'python/setup.sh',
      ],
      [
        'scripts/.venv/bin/activate',
        'documentation is reported, not rewritten (adopt --docs rewrites it)',
        'source python/.venv/bin/activate',
      ],
      [
        'pip install tree-sitter fastmcp',
        'documentation is reported, not rewritten (adopt --docs rewrites it)',
        'remove this line',
      ],
      [
        'scripts/.venv/bin/python3',
        'documentation is reported, not rewritten (adopt --docs rewrites it)',
        'Then run `python/.venv/bin/python3 scripts/traceability/index_git.py`.',
      ],
    ]);
  });

  it('spells paths from a README below the root, and follows a cd inside a block', () => {
    const text =
      '# Replay\n\n```console\n$ python3 -m venv .venv\n$ . .venv/bin/activate\n$ pip install -e .\n```\n\nThe tools:\n\n```sh\ncd ../scripts && source .venv/bin/activate && python gen.py\n```\n';
    const run = rewrite(text, 'replay/README.md');
    expect(run.text).toEqual(
      '# Replay\n\n```console\n$ ../python/setup.sh\n$ . ../python/.venv/bin/activate\n```\n\nThe tools:\n\n```sh\ncd ../scripts && source ../python/.venv/bin/activate && python gen.py\n```\n',
    );
    expectSettled(run, 'replay/README.md');
  });

  it('rewrites an unclosed block to the end, and nothing in an empty file', () => {
    expect(rewrite('').result).toEqual({ edits: [], skipped: [], notes: [] });
    const run = rewrite('```bash\npython3 -m venv .venv\n. .venv/bin/activate');
    expect(run.text).toEqual('```bash\npython/setup.sh\n. python/.venv/bin/activate');
    expectSettled(run);
  });

  it('keeps CRLF line endings and reStructuredText literal blocks', () => {
    const text =
      'Setup\r\n=====\r\n\r\nCreate the venv::\r\n\r\n    python3 -m venv scripts/.venv\r\n    scripts/.venv/bin/pip install -r requirements.txt\r\n\r\nThen ``source scripts/.venv/bin/activate``.\r\n';
    const run = rewrite(text, 'docs/setup.rst');
    expect(run.text).toEqual(
      'Setup\r\n=====\r\n\r\nCreate the venv::\r\n\r\n    python/setup.sh\r\n\r\nThen ``source python/.venv/bin/activate``.\r\n',
    );
    expectSettled(run, 'docs/setup.rst');
  });

  it('skips what it cannot move, and leaves unified docs and look-alikes alone', () => {
    const text =
      '```bash\nsource $VENV_DIR/bin/activate\npip install black\n```\n\n```python\nimport venv  # scripts/.venv/bin/python\n```\n';
    const run = rewrite(text);
    expect(run.result.edits).toEqual([]);
    expect(run.result.skipped.map((entry) => [entry.reference.text, entry.reason])).toEqual([
      [
        '$VENV_DIR/bin/activate',
        'built from a variable onevenv cannot resolve: point it at python/.venv by hand',
      ],
      [
        'pip install black',
        'installs black, which python/pyproject.toml does not declare: add it (onevenv add), then remove this install',
      ],
    ]);
    const unified =
      '```bash\npython/setup.sh\nsource python/.venv/bin/activate\n```\n\nThe `scripts/.venv` directory is gone.\n';
    expect(rewrite(unified).result).toEqual({ edits: [], skipped: [], notes: [] });
  });

  it('moves generated code blocks onto the venv in one pass, and a second pass changes nothing', () => {
    const line = fc.constantFrom(
      'python3 -m venv scripts/.venv',
      'source scripts/.venv/bin/activate',
      'pip install -r requirements.txt',
      'scripts/.venv/bin/pip install fastapi',
      '. .venv/bin/activate && python -m pytest',
      'python3 -m venv .venv && . .venv/bin/activate && pip install -e replay',
      'make all',
      'echo done',
    );
    const block = fc.record({
      lines: fc.array(line, { minLength: 1, maxLength: 5 }),
      prompt: fc.boolean(),
      language: fc.constantFrom('bash', 'sh', ''),
    });
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 3 }), fc.boolean(), (blocks, crlf) => {
        let text = blocks
          .map(
            ({ lines, prompt, language }) =>
              `\`\`\`${language}\n${lines.map((l) => (prompt ? `$ ${l}` : l)).join('\n')}\n\`\`\`\n`,
          )
          .join('\nText.\n\n');
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const run = rewrite(text);
        expect(run.result.skipped).toEqual([]);
        expect(run.after.filter((ref) => !ref.unified)).toEqual([]);
        expect(rewrite(run.text).result.edits).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('leaves only what it skips off the venv, whatever the command lines, and settles in one pass', () => {
    fc.assert(
      fc.property(commandLines, fc.boolean(), (lines, prompt) => {
        const body = prompt
          ? lines
              .split('\n')
              .map((l) => `$ ${l}`)
              .join('\n')
          : lines;
        const run = rewrite(`Set up:\n\n\`\`\`bash\n${body}\n\`\`\`\n`);
        expectOnlySkippedLeft(run);
        expect(rewrite(run.text).result.edits).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
