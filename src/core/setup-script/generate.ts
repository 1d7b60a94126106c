import { createHash } from 'node:crypto';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { UserError } from '../../util/errors.js';
import { locateString, type OnevenvConfig } from '../config.js';
import { QUERY_SCRIPT } from '../interpreter.js';
import { lockFingerprintInputs } from '../lock/status.js';
import { CONFIG_FILE } from '../root.js';
import { PROBE } from '../sync/probe.js';
import { inputFiles, probeGroups } from '../sync/sync.js';
import { MARKER_FORMAT } from '../venv/marker.js';
import { toolVersion } from '../venv/tool-version.js';
import { DRIVER_BODY, DRIVER_HEAD } from './driver.js';
import { pythonRanges, type VersionRange } from './python-range.js';
import { pyLiteral, pyRawString, shQuote } from './quote.js';

/**
 * python/setup.sh: the standalone bootstrap for machines without Node. A few lines of
 * POSIX sh find the repository root (from the script's own location) and a python3, then
 * hand a Python program (a quoted here-document, so nothing in it is expanded by the
 * shell) the settings below. The program does what `onevenv sync` does and writes the
 * same ready-marker, so either one sees the other's venv as up to date.
 *
 * Config values appear only as Python string literals inside that quoted here-document
 * (JSON string syntax, which Python reads the same) and, in the help text, as
 * single-quoted sh words: nothing from the declaration is ever executed.
 *
 * Deterministic: the same declaration (and onevenv version) gives the same bytes, which
 * is how `onevenv check` tells whether the file on disk is current.
 */

export const SETUP_SCRIPT = 'python/setup.sh';

/** Ends the here-document; a line of the program can never be exactly this. */
const HEREDOC_END = 'ONEVENV_SETUP_PY';

interface RawSettings {
  venv?: unknown;
  lock?: unknown;
  editable?: unknown;
  paths?: unknown;
  'find-links'?: unknown;
}

/** `[tool.onevenv]` as written, to tell paths the user wrote absolute from relative ones. */
function rawSettings(config: OnevenvConfig): RawSettings {
  try {
    const data = parseToml(config.text) as { tool?: { onevenv?: RawSettings } };
    return data.tool?.onevenv ?? {};
  } catch {
    return {};
  }
}

function rawList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * How the script names a path: relative to the repository root (joined with the root it
 * finds at run time, so a clone or worktree elsewhere works), or absolute when the user
 * wrote it absolute.
 */
function makeAnchor(config: OnevenvConfig) {
  const raw = rawSettings(config);
  const absolute = new Set<string>();
  const note = (value: unknown) => {
    if (typeof value === 'string' && path.isAbsolute(value)) absolute.add(path.resolve(value));
  };
  note(raw.venv);
  note(raw.lock);
  for (const list of [raw.editable, raw.paths, raw['find-links']]) rawList(list).forEach(note);
  return (file: string): string => {
    for (const dir of absolute) {
      if (file === dir || file.startsWith(`${dir}${path.sep}`)) return file;
    }
    return path.relative(config.root, file).split(path.sep).join('/') || '.';
  };
}

function isUrl(link: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(link);
}

function checkConfigValues(config: OnevenvConfig): void {
  for (const [key, list] of [
    ['venv', [config.venv]],
    ['lock', [config.lock]],
    ['paths', config.paths],
    ['editable', config.editable],
    ['find-links', config.findLinks],
  ] as const) {
    for (const value of list) {
      if (/[\r\n\0]/.test(value)) {
        throw new UserError(`tool.onevenv.${key}: a path may not contain a line break`, {
          location: { file: CONFIG_FILE, line: locateString(config.text, key) },
        });
      }
    }
  }
}

function rangesLiteral(ranges: VersionRange[] | undefined): string {
  if (ranges === undefined) return 'None';
  const tuple = (v: [number, number, number] | null) => (v ? `(${v.join(', ')})` : 'None');
  return `[${ranges.map((r) => `(${tuple(r.from)}, ${tuple(r.to)})`).join(', ')}]`;
}

/** The settings block of the Python program. */
export function settingsBlock(config: OnevenvConfig): string {
  checkConfigValues(config);
  const anchor = makeAnchor(config);
  const link = (l: string) => (isUrl(l) ? l : anchor(l));
  const groups = probeGroups(config).map((group) => {
    // An editable's group is named after its path, which the script computes at run time.
    const name = group.editables ? `editable:${group.editables.map(anchor).join(',')}` : group.name;
    const out: Record<string, unknown> = { name };
    if (group.requirements) {
      out.requirements = group.requirements.map((r) =>
        r.marker === undefined ? { name: r.name } : { name: r.name, marker: r.marker },
      );
    }
    if (group.editables) out.editables = group.editables.map(anchor);
    if (group.modules !== undefined) out.modules = group.modules;
    return out;
  });
  const assign = (name: string, value: unknown) =>
    `${name} = ${pyLiteral(value, '', name.length + 3)}`;
  const declaration = createHash('sha256').update(config.text, 'utf8').digest('hex');
  const lines = [
    '# ---- settings, from python/pyproject.toml (paths relative to the repository root) ----',
    assign('TOOL', toolVersion()),
    `MARKER_FORMAT = ${MARKER_FORMAT}`,
    '# sha256 of python/pyproject.toml (without a BOM) as this script was generated from',
    assign('DECLARATION_SHA256', declaration),
    assign('VENV', anchor(config.venv)),
    assign('LOCK', anchor(config.lock)),
    assign('INSTALLER', config.installer),
    assign('EDITABLE', config.editable.map(anchor)),
    assign('PATHS', config.paths.map(anchor)),
    assign('INDEX_URL', config.indexUrl ?? null),
    assign('FIND_LINKS', config.findLinks.map(link)),
    assign('REQUIRES_PYTHON', config.requiresPython ?? null),
    '# its line in python/pyproject.toml, where a Python that does not fit is reported',
    assign(
      'REQUIRES_PYTHON_LINE',
      config.requiresPython === undefined
        ? null
        : (locateString(config.text, config.requiresPython) ?? null),
    ),
    '# requires-python as inclusive ranges of Python 3 versions (None: any)',
    `PYTHON_RANGES = ${rangesLiteral(pythonRanges(config.requiresPython))}`,
    `LOCK_TIMEOUT = ${config.lockTimeout}`,
    '# files whose bytes decide the venv (the state marker records their hashes)',
    assign('INPUT_FILES', inputFiles(config).map(anchor)),
    "# what the lock's fingerprint covers (editables and find-links are filled in at run time)",
    // Both lists depend on where the repository is: the script computes them.
    assign('LOCK_INPUTS', { ...lockFingerprintInputs(config, []), findLinks: [] }),
    '# the import check: the groups onevenv sync validates',
    assign('IMPORT_GROUPS', groups),
    `QUERY_SCRIPT = ${pyRawString(QUERY_SCRIPT)}`,
    `PROBE = ${pyRawString(PROBE)}`,
  ];
  return `${lines.join('\n')}\n`;
}

function shellPart(config: OnevenvConfig): string {
  const venv = path.relative(config.root, config.venv).split(path.sep).join('/') || '.';
  const lock = path.relative(config.root, config.lock).split(path.sep).join('/') || '.';
  const help = [
    'Usage: python/setup.sh [--clean] [--frozen] [--verbose]',
    '',
    `Creates or updates ${venv} exactly as locked in ${lock}`,
    '(hashes required; anything the lock does not list is removed), installs the',
    'editable packages, puts [tool.onevenv] paths on sys.path and imports every',
    'group. Needs only python3; uses uv when it is on PATH. Returns at once when',
    'everything is up to date. Works from any directory.',
    '',
    `  --clean    build ${venv} again from scratch (only ever deletes a venv)`,
    `  --frozen   install ${lock} even when it is stale`,
    "  --verbose  show the installers' output",
    '  --help     show this help',
    '',
    'Exit status: 0 ready, 1 an import failed or the lock is stale, 2 a problem to fix',
    '(message says which), 130 interrupted.',
  ];
  return [
    '#!/bin/sh',
    `# Builds ${venv}, this repository's one Python environment, from ${lock}.`,
    '# Needs only python3 (uses uv when on PATH); safe to re-run; --help for options.',
    '#',
    `# Generated by onevenv ${toolVersion()} from python/pyproject.toml: do not edit.`,
    '# `npx onevenv adopt --write` regenerates it; `npx onevenv check` says when it is stale.',
    'set -eu',
    '',
    // A path with `$` or backquotes in the help text is meant literally.
    ...(help.some((line) => /[$`]/.test(line))
      ? ['# shellcheck disable=SC2016 # the help text is literal']
      : []),
    'usage() {',
    "  printf '%s\\n' \\",
    ...help.map((line, i) => `    ${shQuote(line)}${i < help.length - 1 ? ' \\' : ''}`),
    '}',
    '',
    'clean=0',
    'frozen=0',
    'verbose=0',
    'for arg in "$@"; do',
    '  case $arg in',
    '    --clean) clean=1 ;;',
    '    --frozen) frozen=1 ;;',
    '    -v | --verbose) verbose=1 ;;',
    '    -h | --help)',
    '      usage',
    '      exit 0',
    '      ;;',
    '    *)',
    '      printf \'error unknown option %s (see python/setup.sh --help)\\n\' "$arg" >&2',
    '      exit 2',
    '      ;;',
    '  esac',
    'done',
    '',
    '# The repository root is the parent of the directory holding this script.',
    'case $0 in',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: sh parameter expansion, not a template
    '  */*) here=${0%/*} ;;',
    '  *) here=. ;;',
    'esac',
    'root=$(CDPATH=\'\' cd -P -- "$here/.." && pwd -P)',
    '',
    '# Any python3 runs the program below; it picks the interpreter for the venv itself.',
    'python=$(command -v python3 2>/dev/null || true)',
    'if [ -z "$python" ]; then',
    '  saved_ifs=$IFS',
    '  IFS=:',
    '  set -f',
    '  for dir in $PATH; do',
    '    set +f',
    '    for candidate in "$dir"/python3.[0-9] "$dir"/python3.[0-9][0-9]; do',
    '      if [ -z "$python" ] && [ -x "$candidate" ]; then python=$candidate; fi',
    '    done',
    '    set -f',
    '  done',
    '  set +f',
    '  IFS=$saved_ifs',
    'fi',
    'if [ -z "$python" ]; then',
    "  printf '%s\\n' 'error python/setup.sh needs python3 on PATH (install Python 3 with your package manager, e.g. apt install python3)' >&2",
    '  exit 2',
    'fi',
    '',
    '# -I -S: only the standard library, nothing from PYTHON* variables or site-packages.',
    `exec "$python" -I -S - "$root" "$clean" "$frozen" "$verbose" <<'${HEREDOC_END}'`,
    '',
  ].join('\n');
}

/** The whole of python/setup.sh for this declaration. */
export function generateSetupScript(config: OnevenvConfig): string {
  const program = `${DRIVER_HEAD}\n${settingsBlock(config)}${DRIVER_BODY}`;
  if (program.split('\n').includes(HEREDOC_END)) {
    throw new Error(`the setup program contains its here-document delimiter ${HEREDOC_END}`);
  }
  return `${shellPart(config)}${program}${HEREDOC_END}\n`;
}
