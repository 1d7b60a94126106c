// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the bad inputs spell CMake and editor variables ${name}.
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticEnv, writeLock } from '../helpers/locked-repo.js';
import { makeRepo, runCli, type TempRepo } from '../helpers/repo.js';
import { report } from './support.js';

/**
 * Issue acceptance, bad input: malformed and hostile declarations, locks, resolutions,
 * environments and consumer files. Each case is one command on a small repository: exit 2
 * (or 1 where documented), exactly one `error` line that starts with the file (and line)
 * at fault, no internal error, and the repository byte-identical afterwards. Consumer
 * files (scan and adopt read them) must never crash an adapter: scan names the file and
 * exits 0 or, with --check, 1; the dry-run adopt exits 0.
 */

const CONFIG = 'python/pyproject.toml';
const LOCK = 'python/requirements.txt';

const GOOD = [
  '[project]',
  'name = "bad-input"',
  'version = "0"',
  'requires-python = ">=3.10"',
  'dependencies = []',
  '',
  '[dependency-groups]',
  'tools = ["alpha", "twomods"]',
  '',
  '[tool.onevenv]',
  'installer = "uv"',
  '',
].join('\n');

/** The good declaration with `tools = …` (line 8) replaced, or extra [tool.onevenv] lines (12…). */
function withGroups(groups: string): string {
  return GOOD.replace('tools = ["alpha", "twomods"]', groups);
}
function withTool(lines: string): string {
  return `${GOOD}${lines}\n`;
}
/** The whole error line (after `error `), nothing more or less. */
function exactly(line: string): RegExp {
  return new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

interface Case {
  name: string;
  /** Files written over the good repository (a Buffer for exact bytes; null deletes). */
  files?: Record<string, string | Buffer | null>;
  /** Rewrites the good lock. */
  lock?: (good: string) => string;
  args: string[];
  code: number;
  /** The `error` line starts with this (file, and line when there is one). */
  where: string | RegExp;
  /** Also in the message. */
  says?: RegExp;
  /** Error lines expected (several problems are reported at once, one a line). */
  lines?: number;
  /**
   * The failure comes from the installer, after the venv was started: python/.venv may
   * change (never to ready); everything else stays.
   */
  venvMayChange?: boolean;
  /** Run python/setup.sh (written from the declaration first) instead of the CLI. */
  setupScript?: boolean;
  prepare?: (repo: TempRepo) => Promise<void>;
  restore?: (repo: TempRepo) => Promise<void>;
}

const declarationCases: Case[] = [
  {
    name: 'unterminated string',
    files: { [CONFIG]: '[project]\nname = "x\n' },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:2`,
    says: /invalid TOML/,
  },
  {
    name: 'a key written twice',
    files: { [CONFIG]: withTool('installer = "pip"') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:12`,
    says: /invalid TOML/,
  },
  {
    name: 'a table written twice',
    files: { [CONFIG]: `${GOOD}[project]\nname = "y"\n` },
    args: ['status'],
    code: 2,
    where: `${CONFIG}:12`,
    says: /invalid TOML/,
  },
  {
    name: 'a NUL byte',
    files: { [CONFIG]: GOOD.replace('"bad-input"', '"bad\0input"') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:2`,
  },
  {
    name: 'invalid UTF-8',
    files: {
      [CONFIG]: Buffer.concat([
        Buffer.from('[project]\nname = "'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"\n'),
      ]),
    },
    args: ['sync'],
    code: 2,
    where: CONFIG,
  },
  {
    name: 'arrays nested 20000 deep',
    files: { [CONFIG]: `${GOOD}[tool.x]\ny = ${'['.repeat(20000)}${']'.repeat(20000)}\n` },
    args: ['sync'],
    code: 2,
    where: CONFIG,
  },
  {
    name: 'BOM then a broken header',
    files: { [CONFIG]: '\uFEFF[project\nname = "x"\n' },
    args: ['lock'],
    code: 2,
    where: `${CONFIG}:1`,
    says: /invalid TOML/,
  },
  {
    name: 'a binary file',
    files: { [CONFIG]: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)) },
    args: ['sync'],
    code: 2,
    where: CONFIG,
  },
  {
    name: 'requires-python is not PEP 440',
    files: { [CONFIG]: GOOD.replace('">=3.10"', '">=3.10,<<4"') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:4`,
    says: /requires-python/,
  },
  {
    name: 'requires-python is a number',
    files: { [CONFIG]: GOOD.replace('">=3.10"', '3.10') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:4`,
    says: /requires-python/,
  },
  {
    name: 'dependency-groups is a string',
    files: {
      [CONFIG]: `dependency-groups = "tools"\n${GOOD.replace('[dependency-groups]\ntools = ["alpha", "twomods"]', '')}`,
    },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:1`,
    says: /dependency-groups/,
  },
  {
    name: 'a group element is a number',
    files: { [CONFIG]: withGroups('tools = ["alpha", 42]') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:8`,
    says: /tools/,
  },
  {
    name: 'a requirement that is not PEP 508',
    files: { [CONFIG]: withGroups('tools = ["not a requirement!!"]') },
    args: ['lock'],
    code: 2,
    where: `${CONFIG}:8`,
    says: /not a requirement!!/,
  },
  {
    name: 'a requirement with a broken marker',
    files: { [CONFIG]: withGroups('tools = [\'alpha ; python_version >>> "3"\']') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:8`,
  },
  {
    name: 'a requirement with a bad specifier',
    files: { [CONFIG]: withGroups('tools = ["alpha>=1.0.0.0.0.0-x"]') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:8`,
  },
  {
    name: 'include-group of a missing group',
    files: { [CONFIG]: withGroups('tools = ["alpha", {include-group = "nowhere"}]') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:8`,
    says: /nowhere/,
  },
  {
    name: 'include-group cycle',
    files: {
      [CONFIG]: withGroups(
        'tools = [{include-group = "more"}]\nmore = [{include-group = "tools"}]',
      ),
    },
    args: ['sync'],
    code: 2,
    where: new RegExp(`^${CONFIG}:(8|9)`),
    says: /cycle/,
    lines: 2,
  },
  {
    name: 'a group name that is not a name',
    files: { [CONFIG]: withGroups('"bad name!" = ["alpha"]') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:8`,
  },
  {
    name: 'dependencies is a string',
    files: { [CONFIG]: GOOD.replace('dependencies = []', 'dependencies = "alpha"') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:5`,
  },
  {
    name: 'installer is not one of auto, uv, pip',
    files: { [CONFIG]: GOOD.replace('installer = "uv"', 'installer = "conda"') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:11`,
    says: /conda/,
  },
  {
    name: 'venv is a number',
    files: { [CONFIG]: withTool('venv = 42') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:12`,
    says: /venv/,
  },
  {
    name: 'paths is a string',
    files: { [CONFIG]: withTool('paths = "../build"') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:12`,
    says: /paths/,
  },
  {
    name: 'an editable path with a line break',
    files: { [CONFIG]: withTool('editable = ["../a\\nb"]') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:12`,
    says: /line break/,
  },
  {
    name: 'an editable directory that does not exist',
    files: { [CONFIG]: withTool('editable = ["../nowhere"]') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:12`,
    says: /nowhere/,
  },
  {
    name: 'an editable directory that does not exist, for lock',
    files: { [CONFIG]: withTool('editable = [\n  "./../nowhere/",\n]') },
    args: ['lock'],
    code: 2,
    where: `${CONFIG}:13`,
    says: exactly(
      `${CONFIG}:13: tool.onevenv.editable: ./../nowhere/ is not a directory (point it at the local package (the directory of its pyproject.toml or setup.py), or remove it)`,
    ),
  },
  {
    name: 'an editable entry that is a file, for lock',
    files: { [CONFIG]: withTool('editable = ["pyproject.toml"]') },
    args: ['lock', '--installer', 'pip'],
    code: 2,
    where: `${CONFIG}:12`,
    says: exactly(
      `${CONFIG}:12: tool.onevenv.editable: pyproject.toml is not a directory (point it at the local package (the directory of its pyproject.toml or setup.py), or remove it)`,
    ),
  },
  {
    name: 'lock-timeout is negative',
    files: { [CONFIG]: withTool('lock-timeout = -1') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:12`,
    says: /lock-timeout/,
  },
  {
    name: 'imports is not a list of modules',
    files: { [CONFIG]: withTool('[tool.onevenv.imports]\ntools = "alpha"') },
    args: ['sync'],
    code: 2,
    where: `${CONFIG}:13`,
    says: /imports/,
  },
  {
    name: 'find-links is a number',
    files: { [CONFIG]: withTool('find-links = 1') },
    args: ['lock'],
    code: 2,
    where: `${CONFIG}:12`,
    says: /find-links/,
  },
  {
    name: 'venv is the python/ directory itself',
    files: { [CONFIG]: withTool('venv = "."') },
    args: ['sync'],
    code: 2,
    where: /^python(\/\.)?:? /,
    says: /not a virtual environment|will not/,
  },
  {
    name: 'the declaration is a directory',
    files: { [CONFIG]: null, [`${CONFIG}/x`]: '' },
    args: ['sync'],
    code: 2,
    where: CONFIG,
  },
  {
    name: 'no declaration at all',
    files: { [CONFIG]: null },
    args: ['sync'],
    code: 2,
    where: CONFIG,
  },
  {
    name: '[project] is a string',
    files: { [CONFIG]: `project = "x"\n${GOOD.slice(GOOD.indexOf('[dependency-groups]'))}` },
    args: ['lock'],
    code: 2,
    where: `${CONFIG}:1`,
    says: /project/,
  },
];

const goodLockPin = (lock: string, name: string) => {
  const start = lock.indexOf(`\n${name}==`) + 1;
  const end = lock.indexOf('\n', lock.indexOf('--hash', start));
  return { start, end, text: lock.slice(start, end) };
};

const lockCases: Case[] = [
  {
    name: 'lock truncated in the middle of an entry',
    lock: (l) => l.slice(0, l.indexOf('--hash=sha256:', l.indexOf('twomods==')) + 20),
    args: ['sync', '--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}:\\d+`),
  },
  {
    name: 'a pin without a hash',
    lock: (l) => {
      const p = goodLockPin(l, 'twomods');
      return `${l.slice(0, p.start)}twomods==1.0.0\n${l.slice(p.end + 1)}`;
    },
    args: ['sync', '--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}:\\d+`),
    says: /no --hash/,
  },
  {
    name: 'a hash that is not hex',
    lock: (l) => l.replace(/--hash=sha256:[0-9a-f]{64}/, '--hash=sha256:not-a-hash'),
    args: ['sync', '--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}`),
  },
  {
    name: 'a hand-written lock of ranges',
    lock: () => 'alpha>=1\ntwomods\n',
    args: ['sync', '--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}:1`),
  },
  {
    name: 'a hand-written lock, --locked',
    lock: () => 'alpha==1.1.0\n',
    args: ['sync', '--locked'],
    code: 1,
    where: LOCK,
    says: /not generated by onevenv lock/,
  },
  {
    name: 'an -r include in the lock',
    lock: (l) => `${l}-r other.txt\n`,
    files: { 'python/other.txt': 'beta==1.0.0\n' },
    args: ['sync', '--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}:\\d+`),
  },
  {
    name: 'an editable line in the lock',
    lock: (l) => `${l}-e ../somewhere\n`,
    args: ['sync', '--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}:\\d+`),
  },
  {
    name: 'NUL bytes in the lock',
    lock: (l) => l.replace('twomods==', 'two\0mods=='),
    args: ['sync', '--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}`),
  },
  {
    name: 'the lock is a directory',
    files: { [LOCK]: null, [`${LOCK}/x`]: '' },
    args: ['sync', '--frozen'],
    code: 2,
    where: LOCK,
  },
  {
    name: 'one package pinned twice',
    lock: (l) => {
      const p = goodLockPin(l, 'alpha');
      return `${l}${p.text.replace('alpha==1.1.0', 'alpha==1.0.0')}\n`;
    },
    args: ['sync', '--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}:\\d+`),
    says: /alpha/,
  },
  {
    name: 'a pin of a package no index has',
    lock: (l) => `${l}not-in-any-index==1.0 \\\n    --hash=sha256:${'a'.repeat(64)}\n`,
    args: ['sync', '--frozen'],
    code: 2,
    where: /^uv pip sync failed/,
    says: /not-in-any-index/,
    venvMayChange: true,
  },
  {
    name: 'an --extra-index-url written into the lock',
    lock: (l) => `--extra-index-url https://example.invalid/simple\n${l}`,
    args: ['sync', '--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}:1`),
    says: /extra-index-url/,
  },
  {
    name: 'an --extra-index-url written into the lock, python/setup.sh --frozen',
    lock: (l) => `--extra-index-url https://example.invalid/simple\n${l}`,
    setupScript: true,
    args: ['--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}:1`),
    says: /extra-index-url/,
  },
  {
    name: 'an -r include in the lock, python/setup.sh --frozen',
    lock: (l) => `${l}-r other.txt\n`,
    files: { 'python/other.txt': 'beta==1.0.0\n' },
    setupScript: true,
    args: ['--frozen'],
    code: 2,
    where: new RegExp(`^${LOCK}:\\d+`),
    says: /-r is not allowed/,
  },
];

const resolutionCases: Case[] = [
  {
    name: 'an unknown package',
    files: { [CONFIG]: withGroups('tools = ["alpha", "not-in-the-wheelhouse"]') },
    args: ['lock'],
    code: 2,
    where: `${CONFIG}:8`,
    says: /not-in-the-wheelhouse/,
  },
  {
    name: 'conflicting pins in two groups',
    files: { [CONFIG]: withGroups('tools = ["alpha==1.0.0"]\nother = ["alpha==2.0.0"]') },
    args: ['lock'],
    code: 2,
    where: new RegExp(`^${CONFIG}:(8|9)`),
    says: /alpha/,
  },
  {
    name: 'a conflict through dependencies',
    files: { [CONFIG]: withGroups('tools = ["beta", "delta"]') },
    args: ['lock'],
    code: 2,
    where: `${CONFIG}:8`,
    says: /alpha/,
  },
  {
    name: 'a package that needs a Python nobody has',
    files: { [CONFIG]: withGroups('tools = ["future-only"]') },
    args: ['lock'],
    code: 2,
    where: `${CONFIG}:8`,
    says: /future-only/,
  },
  {
    name: 'requires-python nobody satisfies',
    files: { [CONFIG]: GOOD.replace('">=3.10"', '">=3.99"') },
    lock: () => '',
    args: ['sync', '--frozen'],
    code: 2,
    where: `${CONFIG}:4`,
    says: /3\.99/,
  },
  {
    name: 'a .python-version nobody satisfies',
    files: { '.python-version': '# pyenv\n3.4\n' },
    args: ['sync'],
    code: 2,
    where: '.python-version:2',
    says: /^\.python-version:2: no Python interpreter satisfies requires-python >=3\.10 and \.python-version 3\.4 \(install a matching Python/,
  },
];

/** Immutable `python/` (root ignores permission bits; chattr +i binds root too). */
async function freezePython(repo: TempRepo) {
  execFileSync('chattr', ['+i', path.join(repo.root, 'python')]);
}
async function thawPython(repo: TempRepo) {
  execFileSync('chattr', ['-i', path.join(repo.root, 'python')]);
}

const environmentCases: Case[] = [
  {
    name: 'the venv path is a file',
    files: { 'python/.venv': 'not a venv\n' },
    args: ['sync'],
    code: 2,
    where: 'python/.venv',
    says: /not a directory/,
  },
  {
    name: 'the venv path is a dangling symlink',
    prepare: (r) => fs.symlink('/nonexistent/venv', path.join(r.root, 'python/.venv')),
    args: ['sync'],
    code: 2,
    where: 'python/.venv',
  },
  {
    name: 'python/ is read-only: sync',
    prepare: freezePython,
    restore: thawPython,
    args: ['sync'],
    code: 2,
    where: /^python: cannot create a file in it/,
    says: /not permitted|permission|read-only/i,
  },
  {
    name: 'python/ is read-only: lock',
    files: { [CONFIG]: withGroups('tools = ["alpha"]') },
    prepare: freezePython,
    restore: thawPython,
    args: ['lock'],
    code: 2,
    where: /^python: cannot create a file in it/,
    says: /not permitted|permission|read-only/i,
  },
];

function jsonDeep(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

const consumerCases: Array<{ name: string; file: string; content: string | Buffer }> = [
  {
    name: '.mcp.json cut short',
    file: '.mcp.json',
    content: '{"mcpServers": {"a": {"command": "scripts/.venv/bin/python", "args": [',
  },
  {
    name: '.mcp.json with comments and trailing commas',
    file: '.mcp.json',
    content:
      '{\n  // servers\n  "mcpServers": { "a": { "command": "scripts/.venv/bin/python", }, },\n}\n',
  },
  {
    name: '.mcp.json whose top level is an array',
    file: '.mcp.json',
    content: '[{"command": "scripts/.venv/bin/python"}]\n',
  },
  {
    name: '.mcp.json whose command is a number',
    file: '.mcp.json',
    content: '{"mcpServers": {"a": {"command": 42, "args": "x"}}}\n',
  },
  {
    name: '.mcp.json nested 20000 deep',
    file: '.mcp.json',
    content: `{"mcpServers": ${jsonDeep(20000)}}`,
  },
  {
    name: '.mcp.json with NUL and invalid UTF-8',
    file: '.mcp.json',
    content: Buffer.concat([
      Buffer.from('{"mcpServers": {"a\0": {"command": "scripts/.venv/bin/py'),
      Buffer.from([0xff, 0xc0]),
      Buffer.from('thon"}}}\n'),
    ]),
  },
  {
    name: '.cursor/mcp.json with a key written twice',
    file: '.cursor/mcp.json',
    content:
      '{"mcpServers": {"a": {"command": "x/.venv/bin/python"}, "a": {"command": "scripts/.venv/bin/python"}}}\n',
  },
  {
    name: 'CMakeLists.txt with unbalanced parentheses',
    file: 'CMakeLists.txt',
    content:
      'project(x\nadd_custom_target(t COMMAND ${Python3_EXECUTABLE} gen.py\nfind_package(Python3\n',
  },
  {
    name: 'CMakeLists.txt with too many closing parentheses',
    file: 'CMakeLists.txt',
    content: 'project(x))\n)))\nadd_custom_target(t COMMAND scripts/.venv/bin/python gen.py)\n',
  },
  {
    name: 'CMakeLists.txt with an unterminated bracket argument',
    file: 'CMakeLists.txt',
    content: 'set(X [==[ ${Python3_EXECUTABLE}\nfind_package(Python3)\n',
  },
  {
    name: 'CMakeLists.txt with python inside bracket comments and arguments',
    file: 'CMakeLists.txt',
    content:
      '#[[ find_package(Python3) ]]\nset(X [=[ ${Python3_EXECUTABLE} ]=])\nmessage(STATUS [[scripts/.venv/bin/python]])\n',
  },
  {
    name: 'CMakeLists.txt with an unterminated quote',
    file: 'CMakeLists.txt',
    content: 'add_custom_target(t COMMAND "${Python3_EXECUTABLE} gen.py)\n',
  },
  {
    name: 'CMakeLists.txt nested 20000 deep',
    file: 'CMakeLists.txt',
    content: `if${'('.repeat(20000)}${')'.repeat(20000)}\n`,
  },
  {
    name: 'cmake/python.cmake with NUL bytes',
    file: 'cmake/python.cmake',
    content: 'set(VENV scripts/.venv\0)\nexecute_process(COMMAND ${VENV}/bin/python x.py)\n',
  },
  {
    name: 'CMakePresets.json cut short',
    file: 'CMakePresets.json',
    content:
      '{"configurePresets": [{"name": "d", "cacheVariables": {"Python3_EXECUTABLE": "scripts/.venv/bin/python3"',
  },
  {
    name: 'devcontainer.json cut short',
    file: '.devcontainer/devcontainer.json',
    content:
      '{"postCreateCommand": "python3 -m venv .venv && .venv/bin/pip install -r r.txt", "customizations": {',
  },
  {
    name: 'devcontainer.json with comments and a command array',
    file: '.devcontainer/devcontainer.json',
    content:
      '{\n  // x\n  "postCreateCommand": ["bash", "-c", "python3 -m venv .venv"],\n  "containerEnv": {"PYTHONPATH": 3},\n}\n',
  },
  {
    name: '.vscode/settings.json cut short',
    file: '.vscode/settings.json',
    content: '{"python.defaultInterpreterPath": "scripts/.venv/bin/python',
  },
  {
    name: '.vscode/tasks.json whose tasks is an object',
    file: '.vscode/tasks.json',
    content:
      '{"version": "2.0.0", "tasks": {"label": "x", "command": "scripts/.venv/bin/python"}}\n',
  },
  {
    name: '.vscode/launch.json with comments and a python path',
    file: '.vscode/launch.json',
    content:
      '{\n  /* launch */\n  "configurations": [{"type": "debugpy", "python": "scripts/.venv/bin/python", "env": {"PYTHONPATH": null}},],\n}\n',
  },
  {
    name: 'a workflow indented with tabs',
    file: '.github/workflows/ci.yml',
    content: 'jobs:\n\ttest:\n\t\tsteps:\n\t\t\t- run: scripts/.venv/bin/python x.py\n',
  },
  {
    name: 'a workflow with an unclosed flow mapping',
    file: '.github/workflows/ci.yml',
    content: 'jobs: {test: {steps: [{run: ".venv/bin/python x.py"\n',
  },
  {
    name: 'a Makefile with an unterminated define',
    file: 'Makefile',
    content: 'define X\n\tscripts/.venv/bin/python x.py\nall:\n\t$(X\n',
  },
  {
    name: 'a shell script with an unterminated here-document and quote',
    file: 'tools/run.sh',
    content: '#!/bin/sh\ncat <<EOF\nsource .venv/bin/activate\n"$(scripts/.venv/bin/python x.py\n',
  },
  {
    name: 'a .gitignore with NUL bytes and odd escapes',
    file: '.gitignore',
    content: 'scripts/.venv/\0\n\\\n!\n**/\\.venv\\\n',
  },
  {
    name: 'a requirements file of garbage',
    file: 'tools/requirements.txt',
    content: '-r\n--hash\n@@@\nalpha ; ;\n-e\nhttps://user:pw@\n\\\n',
  },
  {
    name: 'a pyproject.toml of another package that does not parse',
    file: 'lib/pyproject.toml',
    content: '[project\ndependencies = ["alpha"\n',
  },
];

async function runSetupScript(repo: TempRepo, args: string[]) {
  const { runProcess } = await import('../../src/util/exec.js');
  const result = await runProcess('sh', ['python/setup.sh', ...args], {
    cwd: repo.root,
    env: { ...process.env, ...hermeticEnv() },
  });
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

describe('bad input: one clear error, nothing changed', () => {
  let goodLock: string;
  let counted = 0;
  beforeAll(async () => {
    const template = await makeRepo({ [CONFIG]: GOOD }, { git: true });
    goodLock = await writeLock(template.root);
    await template.cleanup();
  });
  afterAll(() => report('bad-input corpus', { cases: counted }));

  const all: Array<[string, Case]> = [
    ...declarationCases.map((c) => [`declaration: ${c.name}`, c] as [string, Case]),
    ...lockCases.map((c) => [`lock: ${c.name}`, c] as [string, Case]),
    ...resolutionCases.map((c) => [`resolution: ${c.name}`, c] as [string, Case]),
    ...environmentCases.map((c) => [`environment: ${c.name}`, c] as [string, Case]),
  ];

  it.each(all)('%s', async (_, c) => {
    const repo = await makeRepo({ [CONFIG]: GOOD }, { git: true });
    try {
      await repo.write(LOCK, c.lock ? c.lock(goodLock) : goodLock);
      for (const [file, content] of Object.entries(c.files ?? {})) {
        const target = path.join(repo.root, file);
        if (content === null) {
          await fs.rm(target, { recursive: true, force: true });
          continue;
        }
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, content);
      }
      await c.prepare?.(repo);
      if (c.setupScript) {
        const { generateSetupScript } = await import('../../src/core/setup-script/generate.js');
        const { loadConfig } = await import('../../src/core/config.js');
        await repo.write('python/setup.sh', generateSetupScript(await loadConfig(repo.root)));
      }
      const snapshot = () =>
        repo.snapshot({ exclude: c.venvMayChange ? ['.git', 'python/.venv'] : ['.git'] });
      const before = await snapshot();
      let result: Awaited<ReturnType<typeof runCli>>;
      try {
        result = c.setupScript
          ? await runSetupScript(repo, c.args)
          : await runCli(c.args, { cwd: repo.root, env: hermeticEnv() });
      } finally {
        await c.restore?.(repo);
      }
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('error '));
      const summary = {
        code: result.code,
        errorLines: errors.length,
        internal: /internal error|please report/i.test(result.stderr),
      };
      expect([c.name, summary, result.stderr]).toEqual([
        c.name,
        { code: c.code, errorLines: c.lines ?? 1, internal: false },
        expect.any(String),
      ]);
      const line = errors[0]!.slice('error '.length);
      if (typeof c.where === 'string') {
        expect([c.name, line]).toEqual([
          c.name,
          expect.stringMatching(
            new RegExp(`^${c.where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[: ]`),
          ),
        ]);
      } else {
        expect([c.name, line]).toEqual([c.name, expect.stringMatching(c.where)]);
      }
      if (c.says) expect([c.name, line]).toEqual([c.name, expect.stringMatching(c.says)]);
      expect(await snapshot()).toEqual(before);
      if (c.venvMayChange) {
        const status = await runCli(['status', '--json'], { cwd: repo.root });
        expect(JSON.parse(status.stdout).state).not.toBe('ready');
      }
      counted++;
    } finally {
      await repo.cleanup();
    }
  });
});

describe('bad consumer files: adapters never throw, scan and adopt report sensibly', () => {
  let counted = 0;
  afterAll(() => report('bad consumer files', { cases: counted }));

  it.each(consumerCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const repo = await makeRepo({}, { git: true });
    try {
      const target = path.join(repo.root, c.file);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, c.content);
      const before = await repo.snapshot();
      const scan = await runCli(['scan', '--check'], { cwd: repo.root });
      const json = await runCli(['scan', '--json'], { cwd: repo.root });
      const adopt = await runCli(['adopt'], { cwd: repo.root });
      const codes = [scan.code, json.code, adopt.code];
      expect([c.name, codes[0] === 0 || codes[0] === 1, codes.slice(1)]).toEqual([
        c.name,
        true,
        [0, 0],
      ]);
      for (const run of [scan, json, adopt]) {
        expect([c.name, /internal error|please report/i.test(run.stderr)]).toEqual([c.name, false]);
      }
      // Whatever scan found in the file, it names the file and the line.
      const found = (
        JSON.parse(json.stdout) as { references: Array<{ file: string; line: number }> }
      ).references;
      for (const reference of found) {
        expect([c.name, reference.file, Number.isInteger(reference.line)]).toEqual([
          c.name,
          c.file,
          true,
        ]);
      }
      if (found.length > 0) expect(scan.stdout).toContain(`${c.file}:${found[0]!.line}`);
      expect(await repo.snapshot()).toEqual(before);
      counted++;
    } finally {
      await repo.cleanup();
    }
  });
});

describe('hostile repository paths', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'onevenv-hostile-')));
  });
  afterAll(() => fs.rm(scratch, { recursive: true, force: true }));

  it.each([
    ['spaces, quotes, $, backticks and unicode', `on'e "ve$nv \`x\` ü 日本 $(touch canary)`],
    ['a newline-free path of only symbols', `!#%&()+,;=@[]^{}~`],
  ])(
    'a repository at a path with %s: lock, sync, status, run, setup.sh all work',
    async (_, name) => {
      const root = path.join(scratch, name);
      await fs.mkdir(path.join(root, 'python'), { recursive: true });
      execFileSync('git', ['init', '-q'], { cwd: root });
      await fs.writeFile(path.join(root, CONFIG), GOOD);
      const env = hermeticEnv();
      for (const args of [
        ['lock'],
        ['sync'],
        ['status'],
        ['which'],
        ['run', '--', 'python', '-c', 'import alpha'],
      ]) {
        const result = await runCli(args, { cwd: root, env });
        expect([args[0], result.code, /internal error/.test(result.stderr)]).toEqual([
          args[0],
          0,
          false,
        ]);
      }
      const { generateSetupScript } = await import('../../src/core/setup-script/generate.js');
      const { loadConfig } = await import('../../src/core/config.js');
      await fs.writeFile(
        path.join(root, 'python/setup.sh'),
        generateSetupScript(await loadConfig(root)),
      );
      await fs.rm(path.join(root, 'python/.venv'), { recursive: true });
      const { runProcess } = await import('../../src/util/exec.js');
      const setup = await runProcess('sh', ['python/setup.sh'], {
        cwd: root,
        env: { ...process.env, ...env },
      });
      expect([setup.code, setup.stderr]).toEqual([0, expect.not.stringContaining('error')]);
      const status = await runCli(['status', '--json'], { cwd: root });
      expect(JSON.parse(status.stdout).state).toBe('ready');
      for (const dir of [scratch, root, path.join(root, 'python')]) {
        expect(await fs.readdir(dir)).not.toContain('canary');
      }
    },
  );

  it('a repository reached through a symlink: one venv, ready from both paths', async () => {
    const repo = await makeRepo({ [CONFIG]: GOOD }, { git: true });
    try {
      await writeLock(repo.root);
      const link = path.join(scratch, 'link to repo');
      await fs.symlink(repo.root, link);
      const env = hermeticEnv();
      const first = await runCli(['sync', '--json'], { cwd: link, env });
      expect([first.code, JSON.parse(first.stdout).changed]).toEqual([0, true]);
      const again = await runCli(['sync', '--json'], { cwd: repo.root, env });
      expect([again.code, JSON.parse(again.stdout).changed]).toEqual([0, false]);
      const which = await runCli(['which'], { cwd: link });
      expect(which.stdout).toBe(`${path.join(repo.root, 'python/.venv/bin/python')}\n`);
      const status = await runCli(['status', '--json'], { cwd: link });
      expect(JSON.parse(status.stdout).state).toBe('ready');
    } finally {
      await repo.cleanup();
    }
  });
});
