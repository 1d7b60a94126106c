import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * A deterministic, seeded stand-in for a large C++ monorepo with Python tooling: libraries
 * of C++ sources and headers with a CMakeLists.txt each, CMake modules, Python and shell
 * scripts, JSON data and configs, YAML, docs, CSV, protobuf files. A few hundred places name
 * a Python interpreter or venv (find_package(Python3), ${Python3_EXECUTABLE}, venv set-up
 * and activation in scripts, MCP configs, requirements files, docs that say to activate a
 * venv); everything else is the code around them. Same seed, same bytes.
 */

/** Bump when the generated content changes, so cached trees are rebuilt. */
export const GENERATOR_VERSION = 2;

export interface TreeStats {
  files: number;
  bytes: number;
  byKind: Record<string, number>;
  /** Lines planted that name an interpreter or venv (what scan is meant to find). */
  planted: number;
}

/** mulberry32: small, fast, good enough to pick words and sizes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'sensor frame packet record buffer channel stream decoder encoder sample clock ' +
  'telemetry bus message queue state filter kalman vector matrix quaternion pose ' +
  'config registry handle session writer reader index table cache pool arena ' +
  'schedule task worker event signal timer trace span metric counter gauge histogram'
).split(' ');

interface Gen {
  next: () => number;
  int: (lo: number, hi: number) => number;
  pick: <T>(items: readonly T[]) => T;
  chance: (p: number) => boolean;
  word: () => string;
  ident: () => string;
  Type: () => string;
}

function makeGen(seed: number): Gen {
  const next = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const word = () => pick(WORDS);
  return {
    next,
    int,
    pick,
    chance: (p) => next() < p,
    word,
    ident: () => `${word()}_${word()}${int(0, 99)}`,
    Type: () => {
      const w = word();
      const v = word();
      return `${w[0]!.toUpperCase()}${w.slice(1)}${v[0]!.toUpperCase()}${v.slice(1)}`;
    },
  };
}

function cppFunction(g: Gen): string {
  const name = g.ident();
  const arg = g.ident();
  const lines = [
    `${g.pick(['int', 'double', 'bool', 'std::size_t', 'void'])} ${name}(const ${g.Type()}& ${arg}) {`,
  ];
  for (let i = g.int(3, 14); i > 0; i--) {
    lines.push(
      g.pick([
        `  auto ${g.ident()} = ${arg}.${g.ident()}();`,
        `  if (${arg}.${g.ident()}() > ${g.int(0, 4096)}) { return ${g.int(0, 9)}; }`,
        `  for (std::size_t i = 0; i < ${arg}.size(); ++i) { ${g.ident()} += ${arg}[i]; }`,
        `  // ${g.word()} the ${g.word()} before the ${g.word()} is ${g.word()}ed`,
        `  std::lock_guard<std::mutex> lock(${g.ident()});`,
        `  ${g.ident()}.push_back(${g.ident()}(${arg}));`,
      ]),
    );
  }
  lines.push('  return {};', '}', '');
  return lines.join('\n');
}

function cppSource(g: Gen, lib: string, stem: string): string {
  const parts = [
    `// ${stem}.cpp — ${g.word()} ${g.word()} for ${lib}`,
    `#include "${lib}/${stem}.hpp"`,
    '#include <mutex>',
    '#include <vector>',
    '',
    `namespace ${lib} {`,
    '',
  ];
  for (let i = g.int(2, 12); i > 0; i--) parts.push(cppFunction(g));
  parts.push(`}  // namespace ${lib}`, '');
  return parts.join('\n');
}

function cppHeader(g: Gen, lib: string, stem: string): string {
  const parts = [
    '#pragma once',
    '',
    '#include <cstddef>',
    '#include <string>',
    '',
    `namespace ${lib} {`,
    '',
  ];
  for (let i = g.int(1, 4); i > 0; i--) {
    const type = g.Type();
    parts.push(`/// ${g.word()} ${g.word()} of a ${g.word()}.`, `struct ${type} {`);
    for (let j = g.int(2, 9); j > 0; j--) {
      parts.push(
        `  ${g.pick(['int', 'double', 'std::string', 'std::size_t', 'bool'])} ${g.ident()};`,
      );
    }
    parts.push('};', '');
  }
  parts.push(`}  // namespace ${lib}`, `// ${stem}`, '');
  return parts.join('\n');
}

function cmakeLists(g: Gen, lib: string, sources: string[], python: boolean): string {
  const lines = [
    `add_library(${lib} ${sources.map((s) => `src/${s}.cpp`).join(' ')})`,
    `target_include_directories(${lib} PUBLIC include)`,
    `target_compile_features(${lib} PUBLIC cxx_std_20)`,
  ];
  if (g.chance(0.5)) {
    lines.push(
      `target_link_libraries(${lib} PRIVATE ${g.pick(['Threads::Threads', 'fmt::fmt', 'spdlog::spdlog'])})`,
    );
  }
  if (python) {
    lines.push(
      '',
      'find_package(Python3 COMPONENTS Interpreter REQUIRED)',
      'add_custom_command(',
      `  OUTPUT \${CMAKE_CURRENT_BINARY_DIR}/${lib}_generated.hpp`,
      `  COMMAND \${Python3_EXECUTABLE} \${CMAKE_CURRENT_SOURCE_DIR}/tools/generate_${lib}.py`,
      `          --out \${CMAKE_CURRENT_BINARY_DIR}/${lib}_generated.hpp`,
      `  DEPENDS \${CMAKE_CURRENT_SOURCE_DIR}/tools/generate_${lib}.py)`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

function pythonScript(g: Gen, thirdParty: boolean): string {
  const lines = ['#!/usr/bin/env python3', `"""${g.word()} the ${g.word()} ${g.word()}s."""`, ''];
  lines.push(
    ...g.pick([
      ['import argparse', 'import json'],
      ['import os', 'import sys'],
      ['import csv', 'import pathlib'],
    ]),
  );
  if (thirdParty)
    lines.push(
      g.pick([
        'import numpy as np',
        'import yaml',
        'from jinja2 import Template',
        'import requests',
      ]),
    );
  lines.push('');
  for (let i = g.int(1, 6); i > 0; i--) {
    const fn = g.ident();
    lines.push(`def ${fn}(${g.word()}, ${g.word()}=None):`, `    """${g.word()} a ${g.word()}."""`);
    for (let j = g.int(2, 8); j > 0; j--)
      lines.push(`    ${g.ident()} = ${g.word()}.get("${g.word()}", ${g.int(0, 100)})`);
    lines.push('    return None', '');
  }
  lines.push('', 'if __name__ == "__main__":', '    main()', '');
  return lines.join('\n');
}

function shellScript(g: Gen, dir: string, venv: boolean): string {
  const lines = ['#!/usr/bin/env bash', 'set -euo pipefail', `cd "$(dirname "$0")"`, ''];
  if (venv) {
    lines.push(
      ...g.pick([
        ['python3 -m venv .venv', 'source .venv/bin/activate', 'pip install -r requirements.txt'],
        ['if [ ! -d .venv ]; then', '  python3 -m venv .venv', 'fi', '. .venv/bin/activate'],
        [`../scripts/.venv/bin/python ${g.ident()}.py "$@"`],
        [`PYTHONPATH=../build/python python3 -m ${g.word()}_tool`],
      ]),
    );
  }
  for (let i = g.int(3, 15); i > 0; i--) {
    lines.push(
      g.pick([
        `echo "${g.word()} ${g.word()} in ${dir}"`,
        `cmake --build build --target ${g.ident()}`,
        `ctest --test-dir build -R ${g.word()} --output-on-failure`,
        `mkdir -p out/${g.word()}`,
        `cp -r ${g.word()}/ out/${g.word()}/`,
      ]),
    );
  }
  lines.push('');
  return lines.join('\n');
}

function markdown(g: Gen, title: string, activate: boolean): string {
  const lines = [`# ${title}`, ''];
  for (let i = g.int(2, 8); i > 0; i--) {
    lines.push(`## ${g.Type()}`, '');
    const sentences: string[] = [];
    for (let j = g.int(2, 7); j > 0; j--) {
      sentences.push(
        `The ${g.word()} ${g.word()}s each ${g.word()} before the ${g.word()} ${g.word()}.`,
      );
    }
    lines.push(sentences.join(' '), '');
    if (g.chance(0.3)) lines.push('```cpp', `auto ${g.ident()} = ${g.ident()}();`, '```', '');
  }
  if (activate) {
    lines.push(
      '## Tooling',
      '',
      '```sh',
      'source scripts/.venv/bin/activate',
      'python scripts/index.py',
      '```',
      '',
    );
  }
  return lines.join('\n');
}

function jsonData(g: Gen): string {
  const items: Record<string, unknown>[] = [];
  for (let i = g.int(1, 25); i > 0; i--) {
    items.push({ id: g.int(0, 1e6), name: g.ident(), kind: g.word(), rate: g.int(1, 1000) / 10 });
  }
  return `${JSON.stringify({ version: g.int(1, 5), items }, null, 2)}\n`;
}

function mcpConfig(g: Gen, server: string): string {
  return `${JSON.stringify(
    {
      mcpServers: {
        [server]: {
          command: 'scripts/.venv/bin/python3',
          args: [`scripts/mcp/${server}_server.py`],
        },
        [`${g.word()}-docs`]: { command: 'npx', args: ['-y', '@example/docs-server'] },
      },
    },
    null,
    2,
  )}\n`;
}

function csv(g: Gen): string {
  const lines = ['t,channel,value'];
  for (let i = g.int(10, 200); i > 0; i--)
    lines.push(`${g.int(0, 1e6)},${g.word()},${g.int(-5000, 5000) / 100}`);
  return `${lines.join('\n')}\n`;
}

function proto(g: Gen, lib: string): string {
  const lines = ['syntax = "proto3";', `package ${lib};`, '', `message ${g.Type()} {`];
  for (let i = 1; i <= g.int(2, 12); i++)
    lines.push(`  ${g.pick(['int64', 'double', 'string', 'bool'])} ${g.ident()} = ${i};`);
  lines.push('}', '');
  return lines.join('\n');
}

function yamlConfig(g: Gen): string {
  const lines = [`name: ${g.ident()}`, 'stages:'];
  for (let i = g.int(1, 6); i > 0; i--)
    lines.push(`  - ${g.word()}: { rate: ${g.int(1, 100)}, enabled: ${g.chance(0.5)} }`);
  return `${lines.join('\n')}\n`;
}

function workflow(g: Gen, python: boolean): string {
  const lines = [
    `name: ${g.word()}`,
    'on: [push]',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
  ];
  if (python) {
    lines.push(
      '      - uses: actions/setup-python@v5',
      "        with: { python-version: '3.11' }",
      '      - run: pip install -r scripts/requirements.txt',
      '      - run: python scripts/check.py',
    );
  }
  lines.push('      - run: cmake --preset ci && cmake --build --preset ci', '');
  return lines.join('\n');
}

function makefile(g: Gen, python: boolean): string {
  const lines = ['.PHONY: all test', ''];
  if (python)
    lines.push(
      'PYTHON ?= scripts/.venv/bin/python',
      '',
      'gen:',
      `\t$(PYTHON) tools/gen_${g.word()}.py`,
      '',
    );
  lines.push(
    'all:',
    '\tcmake --build build',
    '',
    'test:',
    `\tctest --test-dir build -R ${g.word()}`,
    '',
  );
  return lines.join('\n');
}

/** Library count that yields about `target` files with the mix below. */
function planLibraries(target: number): number {
  return Math.max(1, Math.round(target / 48));
}

/**
 * Writes the tree into `dir` (which must be empty) and returns what it wrote. Exactly
 * `files` files: libraries until the count is nearly reached, then top-level files.
 */
export async function generateScanTree(
  dir: string,
  options: { seed: number; files: number },
): Promise<TreeStats> {
  const g = makeGen(options.seed);
  const out = new Map<string, string>();
  let planted = 0;
  const put = (file: string, text: string) => {
    out.set(file, text);
  };

  // Top level: the consumers a real repository has once.
  put(
    'CMakeLists.txt',
    [
      'cmake_minimum_required(VERSION 3.24)',
      'project(bigrepo CXX)',
      'find_package(Python3 COMPONENTS Interpreter Development)',
      `set(TRACE_VENV \${CMAKE_SOURCE_DIR}/scripts/.venv/bin/python3)`,
      'add_subdirectory(libs)',
      '',
    ].join('\n'),
  );
  planted += 2;
  put('.gitignore', 'build/\nscripts/.venv/\n*.pyc\n');
  planted += 1;
  put('.mcp.json', mcpConfig(g, 'codebase'));
  planted += 1;
  put('scripts/requirements.txt', 'tree-sitter>=0.21\ntree-sitter-cpp>=0.22\nfastmcp>=2\n');
  put('.github/workflows/ci.yml', workflow(g, true));
  planted += 2;
  put('Makefile', makefile(g, true));
  planted += 1;

  const libraries = planLibraries(options.files);
  const libNames: string[] = [];
  for (let l = 0; l < libraries; l++) {
    const lib = `lib${String(l).padStart(4, '0')}_${g.word()}`;
    libNames.push(lib);
    const base = `libs/${lib}`;
    const sources: string[] = [];
    for (let i = g.int(8, 28); i > 0; i--) {
      const stem = `${g.word()}_${g.word()}${sources.length}`;
      sources.push(stem);
      put(`${base}/src/${stem}.cpp`, cppSource(g, lib, stem));
      if (g.chance(0.85)) put(`${base}/include/${lib}/${stem}.hpp`, cppHeader(g, lib, stem));
    }
    for (let i = g.int(0, 6); i > 0; i--)
      put(`${base}/tests/test_${g.word()}_${i}.cpp`, cppSource(g, lib, `test_${i}`));
    const python = g.chance(0.06);
    put(`${base}/CMakeLists.txt`, cmakeLists(g, lib, sources, python));
    if (python) {
      planted += 2;
      put(`${base}/tools/generate_${lib}.py`, pythonScript(g, g.chance(0.3)));
    }
    put(`${base}/README.md`, markdown(g, lib, false));
    for (let i = g.int(0, 4); i > 0; i--) {
      const activate = g.chance(0.01);
      if (activate) planted += 1;
      put(`${base}/docs/${g.word()}_${i}.md`, markdown(g, g.Type(), activate));
    }
    for (let i = g.int(0, 6); i > 0; i--) put(`${base}/data/${g.word()}_${i}.json`, jsonData(g));
    if (g.chance(0.5)) put(`${base}/proto/${g.word()}.proto`, proto(g, lib));
    if (g.chance(0.5)) put(`${base}/fixtures/${g.word()}.csv`, csv(g));
    if (g.chance(0.3)) put(`${base}/config/${g.word()}.yaml`, yamlConfig(g));
    for (let i = g.int(0, 3); i > 0; i--)
      put(`${base}/scripts/${g.word()}_${i}.py`, pythonScript(g, g.chance(0.2)));
    if (g.chance(0.6)) {
      const venv = g.chance(0.08);
      if (venv) planted += 1;
      put(`${base}/scripts/run_${g.word()}.sh`, shellScript(g, base, venv));
    }
    if (g.chance(0.05)) {
      const venv = g.chance(0.3);
      if (venv) planted += 1;
      put(`${base}/bin/${g.word()}-tool`, shellScript(g, base, venv));
    }
    if (g.chance(0.03)) {
      put(`${base}/Makefile`, makefile(g, true));
      planted += 1;
    }
    if (g.chance(0.01)) {
      put(`${base}/.mcp.json`, mcpConfig(g, lib));
      planted += 1;
    }
    if (g.chance(0.02))
      put(`${base}/requirements.txt`, `${g.pick(['numpy', 'pyyaml', 'jinja2', 'requests'])}>=1\n`);
    if (g.chance(0.05)) {
      const venv = g.chance(0.3);
      if (venv) planted += 1;
      put(`${base}/.gitignore`, venv ? 'build/\n.venv/\n' : 'build/\n*.o\n');
    }
    if (g.chance(0.1))
      put(
        `${base}/cmake/${lib}Config.cmake`,
        `include(CMakeFindDependencyMacro)\nfind_dependency(Threads)\n`,
      );
    if (out.size >= options.files) break;
  }
  put('libs/CMakeLists.txt', `${libNames.map((lib) => `add_subdirectory(${lib})`).join('\n')}\n`);

  // Exactly `files`: trim the last library's extras or pad with top-level docs.
  const entries = [...out.entries()];
  if (entries.length > options.files) entries.length = options.files;
  for (let i = 0; entries.length < options.files; i++) {
    entries.push([`docs/notes/${g.word()}_${i}.md`, markdown(g, g.Type(), false)]);
  }

  const stats: TreeStats = { files: entries.length, bytes: 0, byKind: {}, planted };
  const dirs = new Set<string>();
  for (const [file] of entries) dirs.add(path.dirname(file));
  for (const d of [...dirs].sort()) await fs.mkdir(path.join(dir, d), { recursive: true });
  let index = 0;
  async function writer(): Promise<void> {
    while (index < entries.length) {
      const [file, text] = entries[index++]!;
      const mode = file.endsWith('.sh') || file.includes('/bin/') ? 0o755 : 0o644;
      await fs.writeFile(path.join(dir, file), text, { mode });
    }
  }
  await Promise.all(Array.from({ length: 32 }, writer));
  for (const [file, text] of entries) {
    stats.bytes += Buffer.byteLength(text);
    const base = path.basename(file);
    const kind = base.includes('.')
      ? base.slice(base.lastIndexOf('.'))
      : base === 'Makefile'
        ? 'Makefile'
        : '(no extension)';
    stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
  }
  return stats;
}

/** Generates the tree into `dir` and commits it, so scan lists it with `git ls-files`. */
export async function createScanRepo(
  dir: string,
  options: { seed: number; files: number },
): Promise<TreeStats> {
  await fs.mkdir(dir, { recursive: true });
  const stats = await generateScanTree(dir, options);
  const git = (args: string[]) =>
    execFileSync(
      'git',
      [
        '-c',
        'user.name=bench',
        '-c',
        'user.email=bench@onevenv.invalid',
        '-c',
        'commit.gpgsign=false',
        ...args,
      ],
      {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  git(['init', '-q']);
  git(['add', '.']);
  git(['commit', '-q', '-m', 'generated tree']);
  return stats;
}
