// biome-ignore-all lint/suspicious/noTemplateCurlyInString: findings spell CMake and VS Code variables ${name}.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../src/adapters/index.js';
import {
  type Adapter,
  ENV_FIND_PACKAGE,
  ENV_PATH_PYTHON,
  ENV_SYSTEM,
  ENV_UNKNOWN,
} from '../../src/adapters/types.js';
import { applyEdits } from '../../src/core/adopt/apply-edits.js';
import { loadRewriter } from '../../src/core/adopt/rewriters.js';
import type { Rewriter } from '../../src/core/adopt/types.js';
import { parseConfigText } from '../../src/core/config.js';
import { parseLockFile } from '../../src/core/lock/lock-file.js';
import { readLockHeader } from '../../src/core/lock/status.js';
import { parseRequirement } from '../../src/core/pep508.js';
import { classifyReferences, type ScanReference } from '../../src/core/scan/model.js';
import { scanShell } from '../../src/core/shell/scan-shell.js';
import { layoutToml, lexToml } from '../../src/core/toml-spans.js';
import { guessVenvSetting } from '../../src/core/venv/quick.js';
import { UserError, UserErrors } from '../../src/util/errors.js';
import { adoptFacts } from '../helpers/rewrite.js';
import {
  declarationSeed,
  type Kind,
  kinds,
  lockSeed,
  lockTokens,
  tomlTokens,
} from './fuzz-corpus.js';
import { report, seedFrom } from './support.js';

/**
 * Issue acceptance, fuzzing: for every adapter, `detect` never throws on random text,
 * random bytes or grammar-shaped mutations of real files; where the adapter has a
 * rewriter, rewriting then detecting again leaves no reference off the unified venv that
 * the rewriter did not say it skipped, and a second rewrite changes nothing. The parsers
 * that are not adapters (declaration, lock, PEP 508, TOML spans, shell scan, the no-op
 * path's venv guess) never fail on random input except by a user error. A fixed seed and
 * FUZZ_RUNS cases per target (default 300; the nightly size is FUZZ_RUNS=10000);
 * FUZZ_SEED replays another sequence.
 */

const RUNS = seedFrom('FUZZ_RUNS', 300);
const SEED = seedFrom('FUZZ_SEED', 424242);
const UNIFIED = 'python/.venv';
const SPECIAL = new Set([ENV_FIND_PACKAGE, ENV_PATH_PYTHON, ENV_SYSTEM, ENV_UNKNOWN]);

type Mutation =
  | { op: 'insert'; at: number; token: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'duplicate'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'crlf' }
  | { op: 'bom' };

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = 'at' in m ? m.at % (out.length + 1) : 0;
    if (m.op === 'insert') out = out.slice(0, at) + m.token + out.slice(at);
    else if (m.op === 'delete') out = out.slice(0, at) + out.slice(at + m.length);
    else if (m.op === 'duplicate') out = out.slice(0, at + m.length) + out.slice(at);
    else if (m.op === 'truncate') out = out.slice(0, at);
    else if (m.op === 'crlf') out = out.replace(/\r?\n/g, '\r\n');
    else out = `\uFEFF${out}`;
  }
  return out;
}

/** Real-shaped files with grammar tokens inserted, pieces deleted or doubled, cut short. */
function mutated(seeds: string[], tokens: string[]): fc.Arbitrary<string> {
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant('insert' as const),
        at: fc.nat(),
        token: fc.constantFrom(...tokens),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('delete' as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 40 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('duplicate' as const),
        at: fc.nat(),
        length: fc.integer({ min: 1, max: 80 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.constant({ op: 'crlf' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'bom' as const }) },
  );
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 0, maxLength: 8 }))
    .map(([seed, list]) => mutate(seed, list));
}

/** Random text: arbitrary code points, decoded random bytes, and token soup. */
function anyText(tokens: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 400 }),
    fc.uint8Array({ maxLength: 400 }).map((bytes) => new TextDecoder().decode(bytes)),
    fc.array(fc.constantFrom(...tokens, ' ', 'x', '\n'), { maxLength: 60 }).map((t) => t.join('')),
  );
}

function input(kind: Kind): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: anyText(kind.tokens) },
    { weight: 3, arbitrary: mutated(kind.seeds, kind.tokens) },
  );
}

function detect(adapter: Adapter, text: string, file: string): ScanReference[] {
  const result = adapter.detect(text, file, { unifiedVenv: UNIFIED });
  return classifyReferences(result?.references ?? [], UNIFIED);
}

function factsFor(references: ScanReference[], docs: boolean) {
  const replaced = new Set<string>();
  for (const r of references) {
    if (!r.unified && !SPECIAL.has(r.environment) && r.environment !== UNIFIED) {
      replaced.add(r.environment);
    }
  }
  return adoptFacts({
    replacedVenvs: [...replaced].sort(),
    references,
    options: { docs },
    declaredPackages: ['fastapi', 'tree-sitter'],
    editables: ['replay'],
    paths: ['build/Debug/debug'],
  });
}

interface RewriteOutcome {
  text: string;
  /** A property violation, described; undefined when the rewrite held. */
  problem?: string;
}

/** What adopt's core does with one file: rewrite, splice, detect again, compare. */
function rewriteOnce(
  adapter: Adapter,
  rewriter: Rewriter,
  text: string,
  file: string,
  docs: boolean,
): RewriteOutcome {
  const before = detect(adapter, text, file);
  const facts = factsFor(before, docs);
  const withheld = (r: ScanReference) => r.skipReason === 'documentation' && !docs;
  const given = before.filter((r) => !withheld(r));
  const offered = rewriter.extraFiles?.(facts).includes(file) ?? false;
  if (given.length === 0 && !offered) return { text };
  const result = rewriter.rewrite(text, given, { ...facts, file, exists: true });
  const applied = applyEdits(text, result.edits);
  if (!applied.ok) return { text, problem: `edits refused: ${applied.message}` };
  // References that may stay off the venv: skipped ones, and documentation not given.
  const left = new Map<string, number>();
  const key = (r: ScanReference) => `${r.kind}\0${r.text}`;
  for (const r of [...result.skipped.map((s) => s.reference), ...before.filter(withheld)]) {
    left.set(key(r), (left.get(key(r)) ?? 0) + 1);
  }
  for (const r of detect(adapter, applied.text, file)) {
    if (r.unified) continue;
    const count = left.get(key(r)) ?? 0;
    if (count > 0) {
      left.set(key(r), count - 1);
      continue;
    }
    return {
      text: applied.text,
      problem: `after the rewrite ${JSON.stringify(r.text)} (${r.kind}, line ${r.line}) is still off the venv on ${r.environment}`,
    };
  }
  return { text: applied.text };
}

const targets = adapters.map((adapter) => ({ adapter, kind: kinds[adapter.name]! }));

describe('fuzzing the adapters', () => {
  it('every adapter has a corpus', () => {
    expect(targets.filter((t) => t.kind === undefined).map((t) => t.adapter.name)).toEqual([]);
  });

  it.each(targets.map((t) => [t.adapter.name, t] as const))(
    '%s: detect never throws; rewrite → detect is unified; a second rewrite changes nothing',
    async (name, { adapter, kind }) => {
      const rewriter = await loadRewriter(adapter.name);
      const docs = adapter.name === 'docs';
      let rewritten = 0;
      let changed = 0;
      fc.assert(
        fc.property(input(kind), fc.constantFrom(...kind.files), (text, file) => {
          // Throws fail the property: adapters never throw.
          const references = detect(adapter, text, file);
          for (const r of references) {
            if (text.slice(r.span.start, r.span.end) !== r.text) {
              throw new Error(
                `span ${r.span.start}-${r.span.end} is not ${JSON.stringify(r.text)}`,
              );
            }
          }
          if (!rewriter) return;
          const first = rewriteOnce(adapter, rewriter, text, file, docs);
          if (first.problem) throw new Error(first.problem);
          rewritten++;
          if (first.text !== text) changed++;
          const second = rewriteOnce(adapter, rewriter, first.text, file, docs);
          if (second.problem) throw new Error(`second rewrite: ${second.problem}`);
          if (second.text !== first.text) {
            throw new Error(
              `a second rewrite changed the file again:\n${first.text}\n---\n${second.text}`,
            );
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
      report(`fuzz ${name}`, {
        cases: RUNS,
        seed: SEED,
        rewriter: rewriter ? 'yes' : 'none',
        rewritten,
        changed,
      });
    },
    600_000,
  );
});

/** A user error is the one acceptable failure of a parser fed garbage. */
function userErrorsOnly(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError || error instanceof UserErrors) return;
    throw error;
  }
}

describe('fuzzing the parsers', () => {
  const tomlInput = fc.oneof(anyText(tomlTokens), mutated([declarationSeed], tomlTokens));
  const parsers: Array<[string, fc.Arbitrary<string>, (text: string) => void]> = [
    [
      'declaration (parseConfigText)',
      tomlInput,
      (t) => userErrorsOnly(() => parseConfigText(t, '/repo')),
    ],
    [
      'TOML spans (lexToml, layoutToml)',
      tomlInput,
      (t) => {
        lexToml(t);
        layoutToml(t);
      },
    ],
    ['venv guess of the no-op path', tomlInput, (t) => void guessVenvSetting(t)],
    [
      'lock file',
      fc.oneof(anyText(lockTokens), mutated([lockSeed], lockTokens)),
      (t) => {
        parseLockFile(t);
        readLockHeader(t);
      },
    ],
    [
      'PEP 508 requirement',
      fc.oneof(
        anyText(lockTokens),
        mutated(
          [
            'fastapi[standard]>=0.110,<1 ; python_version >= "3.10" and sys_platform != "win32"',
            'pkg @ https://x.invalid/p.whl',
          ],
          [...lockTokens, '[', ']', '(', ')', ' and ', ' or ', '"', "'", '<', '!=', '*'],
        ),
      ),
      (t) => void parseRequirement(t),
    ],
    ['shell scan', input(kinds.shell!), (t) => void scanShell(t, { cwd: '' })],
  ];

  it.each(parsers)(
    '%s never fails except with a user error',
    (name, arbitrary, run) => {
      fc.assert(
        fc.property(arbitrary, (text) => run(text)),
        { seed: SEED, numRuns: RUNS },
      );
      report(`fuzz parser ${name}`, { cases: RUNS, seed: SEED });
    },
    600_000,
  );
});

/**
 * Inputs the fuzzer once found failing, kept as fixed cases of the same property; where
 * a fourth entry is given, it is the file exactly as the first rewrite leaves it.
 */
const findings: Array<[string, string, string, string?]> = [
  ['gitignore', '.gitignore', '\uFEFFbuild/\r\nscripts/.v\nenv/'],
  ['gitignore', 'replay/.gitignore', 'scripts/.venv/\r\npython/.venv/'],
  ['gitignore', '.gitignore', 'build/\nscripts/.venv/\nreplay/.venv/\n__pycache__/\n!.venv/\n'],
  [
    'mcp-json',
    '.mcp.json',
    '{"mcpServers": {"t": {"command":/mcp/x.py"]}, "t": {"command": "{scripts/.venv/bin/python3", "args": ["x.py"]}}}\n',
  ],
  [
    'mcp-json',
    '.mcp.json',
    '{"mcpServers": {"a": {"command": "x/.venv/bin/python"}, "a": {"command": "scripts/.venv/bin/python"}}}\n',
  ],
  [
    'devcontainer',
    '.devcontainer/devcontainer.json',
    '{\r\n  "postCreateCommand": "python3 -m venv .venv",\r\n  "customizations": { "vscode": { "settings": {nts.txt",\r\n  "customizations": { "vscode": { "settings": { "python.defaultInterpreterPath": ".venv/bin/python" } } },\r\n}\r\n',
  ],
  // A syntax error an edit removed (`)d(` lost its find_package): the file stays as it is.
  [
    'cmake',
    'CMakeLists.txt',
    'find_package(PythonInterp)d(${Python_EXECUTABLE})',
    'find_package(PythonInterp)d(${Python_EXECUTABLE})',
  ],
  // After a syntax error, a hint added above changed what a skipped use read as.
  [
    'cmake',
    'CMakeLists.txt',
    'find_package(Python3)add_custom_target(t $${Python3_EXECUTABLE}',
    'find_package(Python3)add_custom_target(t $${Python3_EXECUTABLE}',
  ],
  // The last line, without a line ending, is replaced with the newline before it: the
  // PROJECT_PYTHON block went inside that range (edits refused).
  [
    'cmake',
    'CMakeLists.txt',
    '\nfind_package(PythonInterp REQUIRED)',
    '# Every Python target runs the project venv (python/setup.sh creates it).\nset(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)\nif(NOT EXISTS ${PROJECT_PYTHON})\n  message(FATAL_ERROR "python/.venv is missing: run python/setup.sh")\nendif()',
  ],
  // The hint made a skipped `/${Python3_EXECUTABLE}` read as a path with a variable in it.
  [
    'cmake',
    'CMakeLists.txt',
    'find_package(Python3)\nadd_custom_target(d ${Python3_v} /${Python3_EXECUTABLE})',
    '# Every Python target runs the project venv (python/setup.sh creates it).\nset(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)\n\nset(Python3_EXECUTABLE ${PROJECT_PYTHON})\nfind_package(Python3)\nadd_custom_target(d ${Python3_v} /${Python3_EXECUTABLE})',
  ],
  // A variable name with regular-expression characters threw.
  ['cmake', 'CMakeLists.txt', 'set([venv N)', ''],
  // An interpreter after an option: ${PROJECT_PYTHON} there read as a path off the venv.
  [
    'cmake',
    'CMakeLists.txt',
    'find_package(Python3)\nadd_custom_target(e COMMAND tool --python=${Python3_EXECUTABLE})\n',
    '# Every Python target runs the project venv (python/setup.sh creates it).\nset(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)\n\nadd_custom_target(e COMMAND tool --python=${PROJECT_PYTHON})\n',
  ],
  [
    'cmake',
    'CMakeLists.txt',
    'add_custom_target(e e -${Python_EXECUTABLE})',
    '# Every Python target runs the project venv (python/setup.sh creates it).\nset(PROJECT_PYTHON ${CMAKE_SOURCE_DIR}/python/.venv/bin/python3)\n\nadd_custom_target(e e -${PROJECT_PYTHON})',
  ],
  // An interpreter variable inside a longer path is skipped, not renamed.
  [
    'cmake',
    'CMakeLists.txt',
    'add_custom_target(e n /${Python_EXECUTABLE})',
    'add_custom_target(e n /${Python_EXECUTABLE})',
  ],
  // A skipped reference that a change elsewhere made name another environment (the `cd`
  // moved with the interpreter, so `venv/bin/` ran from another directory): that change goes.
  [
    'shell',
    'replay/start_server.sh',
    'cd "$(dirname "$0/v/bin/python")"\nvenv/bin/',
    'cd "$(dirname "$0/v/bin/python")"\nvenv/bin/',
  ],
  [
    'makefile',
    'Makefile',
    'VENV=)/bin/py\n:\n\t$(VENV)/pip install -rt',
    'VENV=)/bin/py\n:\n\t$(VENV)/pip install -rt',
  ],
  // Moving VENV would have made /opt$(VENV) name /optpython/.venv: VENV stays.
  [
    'makefile',
    'Makefile',
    'VENV := .venv\nall:\n\t$(VENV)/bin/python y.py\n\t/opt$(VENV)/bin/python x.py\n',
    'VENV := .venv\nall:\n\t$(VENV)/bin/python y.py\n\t/opt$(VENV)/bin/python x.py\n',
  ],
  // A server named twice: the env path leads to the first, which has no env; the
  // PYTHONPATH that could go was neither removed nor skipped.
  [
    'mcp-json',
    '.mcp.json',
    '{"mcpServers":{"traceability":{}"traceability":{"env":{"PYTHONPATH":"',
    '{"mcpServers":{"traceability":{}"traceability":{"env":{"PYTHONPATH":"',
  ],
  // A server named twice: its PYTHONPATH followed the other server's interpreter.
  [
    'mcp-json',
    '.mcp.json',
    '{"mcpServers":{"t":{"command":"scripts/.venv/bin/ver.py"},"t":{"command":"scripts/.venv/bin/python3","args":["x.py"],"env":{"PYTHONPATH":"scripts/traceability"}}}}\n',
    '{"mcpServers":{"t":{"command":"python/.venv/bin/ver.py"},"t":{"command":"python/.venv/bin/python3","args":["x.py"],"env":{"PYTHONPATH":"scripts/traceability"}}}}\n',
  ],
  // `python` written twice: detect reads the last, the edit went to the first.
  [
    'vscode',
    '.vscode/launch.json',
    '{"","configurations":[{"""","python":"\n"python":"/',
    '{"","configurations":[{"""","python":"\n"python":"${workspaceFolder}/python/.venv/bin/python3',
  ],
  // No `python` and a file that does not parse: the key cannot be added, the paths stay.
  [
    'vscode',
    '.vscode/launch.json',
    '{"","configurations":[{"env":{"PYTHONPATH":"d',
    '{"","configurations":[{"env":{"PYTHONPATH":"d',
  ],
  // `PATH` written twice: detect reads the last, the edit went to the first.
  [
    'devcontainer',
    '.devcontainer/devcontainer.json',
    '{"","containerEnv":{"PATH":".venv""PATH":".venv/bin',
    '{"","containerEnv":{"PATH":".venv""PATH":"python/.venv/bin',
  ],
  // An unterminated string: the command at its end was read as outside it, skipped, then moved.
  [
    'devcontainer',
    '.devcontainer/devcontainer.json',
    '{"postCreateCommand":"py\n"customizations":{"vscode":{"settings":{"python.defaultInterpreterPath":"/',
    '{"postCreateCommand":"python/.venv/bin/python3 && python/setup.sh\n"customizations":{"vscode":{"settings":{"python.defaultInterpreterPath":"${containerWorkspaceFolder}/python/.venv/bin/python3',
  ],
  // A bad escape the rewrite replaces: the file parses afterwards, so the setting is added now.
  [
    'devcontainer',
    '.devcontainer/devcontainer.json',
    '{"postCreateCommand":"pyt\\hon","containerEnv":{"PYTHONPATH":"u","":""}}',
    '{"postCreateCommand":"python/.venv/bin/python3 && python/setup.sh","containerEnv":{"PYTHONPATH":"u","":""}, "customizations": { "vscode": { "settings": { "python.defaultInterpreterPath": "${containerWorkspaceFolder}/python/.venv/bin/python3" } } }}',
  ],
  // A splice inside a longer command word leaves that word off the venv: it is not made.
  ['docs', 'README.md', '```sh\n`venv/bin/`/python', '```sh\n`venv/bin/`/python'],
  ['docs', 'README.md', '```bash\n`python -mvenv`/python', '```bash\n`python -mvenv`/python'],
  // A venv outside the repository, in docs: it became /python/.venv.
  ['docs', 'README.md', '`/v/bin/python`', '`/v/bin/python`'],
];

describe('fuzz findings, kept', () => {
  it.each(findings)('%s %s: %j', async (name, file, text, expected) => {
    const adapter = adapters.find((a) => a.name === name)!;
    const rewriter = (await loadRewriter(adapter.name))!;
    const docs = name === 'docs';
    const first = rewriteOnce(adapter, rewriter, text, file, docs);
    expect(first.problem).toBeUndefined();
    if (expected !== undefined) expect(first.text).toEqual(expected);
    const second = rewriteOnce(adapter, rewriter, first.text, file, docs);
    expect([second.problem, second.text]).toEqual([undefined, first.text]);
  });
});
