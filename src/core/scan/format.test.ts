import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, type TempRepo } from '../../../test/helpers/repo.js';
import { LineIndex, makeReference } from '../../adapters/reference.js';
import type { Adapter, Reference, ReferenceKind, SkipReason } from '../../adapters/types.js';
import { setColorEnabled } from '../../util/colors.js';
import { formatHuman, formatMermaid, toScanJson } from './format.js';
import type { ScanResult } from './model.js';
import { scanRepository } from './scan.js';

/** Lines `<kind> <environment> | <consumer> [| <skip reason>]` in *.refs files. */
const refsAdapter: Adapter = {
  name: 'shell',
  matches: (file) => file.endsWith('.refs'),
  detect(content, file) {
    const lines = new LineIndex(content);
    const references: Reference[] = [];
    for (const match of content.matchAll(/^(\S+) ([^|\n]+?) \| ([^|\n]+?)(?: \| (\S+))?$/gm)) {
      const start = match.index + match[1]!.length + 1;
      references.push(
        makeReference(content, lines, file, start, start + match[2]!.length, {
          kind: match[1] as ReferenceKind,
          adapter: 'shell',
          consumer: match[3]!,
          environment: match[2]!,
          ...(match[4] ? { skipReason: match[4] as SkipReason } : {}),
        }),
      );
    }
    return { references };
  },
};

describe('scan output', () => {
  let repo: TempRepo;
  let result: ScanResult;

  beforeAll(async () => {
    setColorEnabled(false);
    repo = await makeRepo({
      'build.refs': [
        'python-command scripts/.venv | CMake target trace-git',
        'python-command scripts/.venv | CMake target trace-symbols',
        'find-package find_package(Python3) | CMake target "doc" <db> #1',
        '',
      ].join('\n'),
      'tools/run.refs': [
        'venv-create tools/.venv | script tools/run.sh',
        'python-command python/.venv | script tools/run.sh',
        '',
      ].join('\n'),
      'README.refs': 'doc-mention scripts/.venv | docs README.md | documentation\n',
      'scripts/.venv/pyvenv.cfg': 'home = /usr/bin\n',
    });
    result = await scanRepository(repo.root, { adapters: [refsAdapter] });
  });

  afterAll(async () => {
    setColorEnabled(undefined);
    await repo.cleanup();
  });

  it('prints the fragmentation first, then references by environment and consumer', () => {
    expect(formatHuman(result)).toBe(
      [
        '4 environments in use: scripts/.venv (3 consumers), find_package(Python3) (1 consumer), python/.venv (1 consumer, unified), tools/.venv (1 consumer)',
        '',
        'scripts/.venv',
        '  CMake target trace-git',
        '    build.refs:1  python-command  scripts/.venv',
        '  CMake target trace-symbols',
        '    build.refs:2  python-command  scripts/.venv',
        '  docs README.md',
        '    README.refs:1  doc-mention  scripts/.venv  (skip: documentation)',
        '',
        'find_package(Python3)',
        '  CMake target "doc" <db> #1',
        '    build.refs:3  find-package  find_package(Python3)',
        '',
        'python/.venv (unified)',
        '  script tools/run.sh',
        '    tools/run.refs:2  python-command  python/.venv',
        '',
        'tools/.venv',
        '  script tools/run.sh',
        '    tools/run.refs:1  venv-create  tools/.venv',
        '',
        'Venvs on disk: scripts/.venv',
        '',
        "5 references off the unified venv python/.venv (1 only reported: documentation or external interpreters). Run 'onevenv adopt' to move them.",
        '',
      ].join('\n'),
    );
  });

  it('says so when there is nothing to report', () => {
    const empty: ScanResult = { ...result, references: [], environments: [], venvsOnDisk: [] };
    expect(formatHuman(empty)).toBe(
      [
        'No Python interpreter or venv references found.',
        '',
        'Venvs on disk: none',
        '',
        'Nothing to move: no consumer names a Python environment (unified venv: python/.venv).',
        '',
      ].join('\n'),
    );
  });

  it('draws consumers → environments as a mermaid flowchart with escaped labels', () => {
    expect(formatMermaid(result)).toBe(
      [
        'flowchart LR',
        '  c_CMake_target_doc_db_1["CMake target #quot;doc#quot; #lt;db#gt; #35;1"]',
        '  c_CMake_target_trace_git["CMake target trace-git"]',
        '  c_CMake_target_trace_symbols["CMake target trace-symbols"]',
        '  c_docs_README_md["docs README.md"]',
        '  c_script_tools_run_sh["script tools/run.sh"]',
        '  e_scripts_venv[("scripts/.venv")]',
        '  e_find_package_Python3[("find_package(Python3)")]',
        '  e_python_venv[("python/.venv")]',
        '  e_tools_venv[("tools/.venv")]',
        '  c_CMake_target_doc_db_1 --> e_find_package_Python3',
        '  c_CMake_target_trace_git --> e_scripts_venv',
        '  c_CMake_target_trace_symbols --> e_scripts_venv',
        '  c_docs_README_md --> e_scripts_venv',
        '  c_script_tools_run_sh --> e_python_venv',
        '  c_script_tools_run_sh --> e_tools_venv',
        '  classDef unified fill:#e6f4ea,stroke:#1e8e3e',
        '  class e_python_venv unified',
        '  classDef stray fill:#fdecea,stroke:#d93025',
        '  class e_scripts_venv,e_find_package_Python3,e_tools_venv stray',
        '',
      ].join('\n'),
    );
  });

  it('keeps mermaid ids distinct when names differ only in punctuation', () => {
    const twins: ScanResult = {
      ...result,
      references: result.references
        .slice(0, 2)
        .map((r, i) => ({ ...r, consumer: i === 0 ? 'a-b' : 'a b' })),
      environments: [{ id: 'scripts/.venv', path: null, consumers: ['a b', 'a-b'] }],
    };
    expect(formatMermaid(twins).split('\n').slice(1, 3)).toEqual([
      '  c_a_b["a b"]',
      '  c_a_b_2["a-b"]',
    ]);
  });

  it('gives --json exactly the public shape, sorted', () => {
    const json = toScanJson(result);
    expect(JSON.parse(JSON.stringify(json))).toEqual({
      root: repo.root,
      environments: [
        {
          id: 'scripts/.venv',
          path: path.join(repo.root, 'scripts/.venv'),
          consumers: ['CMake target trace-git', 'CMake target trace-symbols', 'docs README.md'],
        },
        { id: 'find_package(Python3)', path: null, consumers: ['CMake target "doc" <db> #1'] },
        {
          id: 'python/.venv',
          path: path.join(repo.root, 'python/.venv'),
          consumers: ['script tools/run.sh'],
        },
        {
          id: 'tools/.venv',
          path: path.join(repo.root, 'tools/.venv'),
          consumers: ['script tools/run.sh'],
        },
      ],
      references: [
        {
          file: 'README.refs',
          line: 1,
          column: 13,
          kind: 'doc-mention',
          adapter: 'shell',
          consumer: 'docs README.md',
          environment: 'scripts/.venv',
          text: 'scripts/.venv',
          unified: false,
          skipReason: 'documentation',
        },
        {
          file: 'build.refs',
          line: 1,
          column: 16,
          kind: 'python-command',
          adapter: 'shell',
          consumer: 'CMake target trace-git',
          environment: 'scripts/.venv',
          text: 'scripts/.venv',
          unified: false,
        },
        {
          file: 'build.refs',
          line: 2,
          column: 16,
          kind: 'python-command',
          adapter: 'shell',
          consumer: 'CMake target trace-symbols',
          environment: 'scripts/.venv',
          text: 'scripts/.venv',
          unified: false,
        },
        {
          file: 'build.refs',
          line: 3,
          column: 14,
          kind: 'find-package',
          adapter: 'shell',
          consumer: 'CMake target "doc" <db> #1',
          environment: 'find_package(Python3)',
          text: 'find_package(Python3)',
          unified: false,
        },
        {
          file: 'tools/run.refs',
          line: 1,
          column: 13,
          kind: 'venv-create',
          adapter: 'shell',
          consumer: 'script tools/run.sh',
          environment: 'tools/.venv',
          text: 'tools/.venv',
          unified: false,
        },
        {
          file: 'tools/run.refs',
          line: 2,
          column: 16,
          kind: 'python-command',
          adapter: 'shell',
          consumer: 'script tools/run.sh',
          environment: 'python/.venv',
          text: 'python/.venv',
          unified: true,
        },
      ],
      dependencies: [],
      venvsOnDisk: ['scripts/.venv'],
    });
  });
});
