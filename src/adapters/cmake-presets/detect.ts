import {
  type EnvironmentRef,
  environmentOfDir,
  environmentOfInterpreter,
  hasUnknown,
  isPythonName,
  isVenvLikeName,
  lastSegment,
  locate,
  segments,
} from '../../core/shell/paths.js';
import { ROOT, UNKNOWN } from '../../core/shell/tokenize.js';
import { LineIndex, makeReference } from '../reference.js';
import {
  type DecodedString,
  decodeString,
  elements,
  entries,
  type JsonNode,
  parseJsonc,
  property,
  rawSpan,
  stringValue,
} from '../shared/jsonc.js';
import type { DetectContext, DetectResult, Reference, ReferenceKind } from '../types.js';

type Meta = Record<string, string | number | boolean | string[]>;

const PRESET_TYPES = [
  'configurePresets',
  'buildPresets',
  'testPresets',
  'packagePresets',
  'workflowPresets',
] as const;

/** Cache variables that hand CMake an interpreter (FindPython's hints, the unified variable). */
const INTERPRETER_VARIABLES = new Set([
  'Python3_EXECUTABLE',
  'Python_EXECUTABLE',
  'PYTHON_EXECUTABLE',
  'PROJECT_PYTHON',
]);
const ROOT_DIR_VARIABLES = new Set(['Python3_ROOT_DIR', 'Python_ROOT_DIR']);
/** Environment variables whose value is a venv directory. */
const VENV_ENVIRONMENT = new Set(['VIRTUAL_ENV', 'UV_PROJECT_ENVIRONMENT']);
const VENV_VARIABLE_NAME = /venv|virtual_?env/i;
const FILE_SUFFIX = /[^.]\.[A-Za-z][A-Za-z0-9]{0,4}$/;
const UNKNOWN_ENV: EnvironmentRef = { environment: 'unknown', skipReason: 'contains-variable' };

export function isCMakePresetsFile(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base === 'CMakePresets.json' || base === 'CMakeUserPresets.json';
}

interface Preset {
  type: (typeof PRESET_TYPES)[number];
  index: number;
  name: string;
  node: JsonNode;
}

/**
 * Interpreter and venv references in CMakePresets.json / CMakeUserPresets.json: cache
 * variables and environment entries of every preset. Pure; never throws.
 */
export function detectPresetReferences(
  content: string,
  file: string,
  context: DetectContext,
): DetectResult | null {
  if (!/python|venv/i.test(content)) return null;
  const root = parseJsonc(content);
  if (root?.type !== 'object') return null;
  const references = new PresetAnalysis(content, file, context, root).run();
  return references.length === 0 ? null : { references };
}

class PresetAnalysis {
  private readonly lines: LineIndex;
  private readonly dir: string;
  private readonly presets: Preset[] = [];
  private readonly references: Reference[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly context: DetectContext,
    root: JsonNode,
  ) {
    this.lines = new LineIndex(text);
    const slash = file.lastIndexOf('/');
    this.dir = slash === -1 ? '' : file.slice(0, slash);
    for (const type of PRESET_TYPES) {
      elements(property(root, type)).forEach((node, index) => {
        if (node.type !== 'object') return;
        this.presets.push({ type, index, name: stringValue(property(node, 'name')) ?? '', node });
      });
    }
  }

  run(): Reference[] {
    for (const preset of this.presets) {
      for (const [key, node] of entries(property(preset.node, 'cacheVariables'))) {
        const valueNode = node.type === 'object' ? property(node, 'value') : node;
        this.cacheVariable(preset, key, valueNode);
      }
      for (const [key, node] of entries(property(preset.node, 'environment'))) {
        this.environmentEntry(preset, key, node);
      }
    }
    this.references.sort((a, b) => a.span.start - b.span.start);
    return this.references;
  }

  /** `${sourceDir}` and friends substituted; other macros and `$env{…}` become UNKNOWN. */
  private expand(value: string): string {
    return value.replace(/\$(?:\{(\w+)\}|(?:env|penv|vendor)\{[^}]*\})/g, (_match, name) => {
      switch (name) {
        case 'sourceDir':
        case 'fileDir':
          return ROOT + this.dir;
        case 'sourceParentDir': {
          const parts = this.dir === '' ? ['..'] : segments(this.dir).slice(0, -1);
          return parts[0] === '..' ? '..' : ROOT + parts.join('/');
        }
        case 'dollar':
          return '$';
        default:
          return UNKNOWN;
      }
    });
  }

  private interpreterEnvironment(value: string): EnvironmentRef {
    return environmentOfInterpreter(value, this.dir, null);
  }

  private directoryEnvironment(value: string): EnvironmentRef {
    return hasUnknown(value) ? UNKNOWN_ENV : environmentOfDir(locate(value, this.dir));
  }

  private cacheVariable(preset: Preset, key: string, node: JsonNode | undefined): void {
    const decoded = decodeString(this.text, node);
    if (!decoded) return;
    const value = this.expand(decoded.value);
    if (value === '') return;
    const last = lastSegment(value);
    let kind: ReferenceKind;
    let env: EnvironmentRef;
    if (INTERPRETER_VARIABLES.has(key)) {
      kind = 'interpreter-path';
      env = this.interpreterEnvironment(value);
    } else if (ROOT_DIR_VARIABLES.has(key)) {
      kind = 'interpreter-path';
      env = this.directoryEnvironment(value);
    } else if (!hasUnknown(last) && isPythonName(last)) {
      kind = 'interpreter-path';
      env = this.interpreterEnvironment(value);
    } else if (
      !hasUnknown(last) &&
      ((isVenvLikeName(last) && !FILE_SUFFIX.test(last)) || VENV_VARIABLE_NAME.test(key))
    ) {
      kind = 'venv-variable';
      env = this.directoryEnvironment(value);
    } else {
      return;
    }
    this.add(preset, decoded.start, decoded.end, kind, env, {
      section: 'cacheVariables',
      variable: key,
      value: decoded.value,
    });
  }

  private environmentEntry(preset: Preset, key: string, node: JsonNode): void {
    const decoded = decodeString(this.text, node);
    if (!decoded || decoded.value === '') return;
    const meta: Meta = { section: 'environment', variable: key, value: decoded.value };
    if (key === 'PYTHONPATH') {
      this.pythonpath(preset, decoded, meta);
      return;
    }
    if (key === 'PATH') {
      this.pathEntries(preset, decoded, meta);
      return;
    }
    const value = this.expand(decoded.value);
    const last = lastSegment(value);
    if (!hasUnknown(last) && isPythonName(last)) {
      this.add(
        preset,
        decoded.start,
        decoded.end,
        'interpreter-path',
        this.interpreterEnvironment(value),
        meta,
      );
      return;
    }
    const venvName = !hasUnknown(last) && isVenvLikeName(last) && !FILE_SUFFIX.test(last);
    if (
      VENV_ENVIRONMENT.has(key) ||
      venvName ||
      (VENV_VARIABLE_NAME.test(key) && value !== UNKNOWN)
    ) {
      this.add(
        preset,
        decoded.start,
        decoded.end,
        'venv-variable',
        this.directoryEnvironment(value),
        meta,
      );
    }
  }

  /**
   * Entries of a path list, with their decoded ranges. The list's own previous value
   * (`$penv{PYTHONPATH}` in PYTHONPATH) is no path of ours: it is left out, and `appends` says so.
   */
  private listEntries(
    decoded: DecodedString,
    key: string,
  ): { entries: Array<{ from: number; to: number; value: string }>; appends: boolean } {
    const out: Array<{ from: number; to: number; value: string }> = [];
    let appends = false;
    const separator = /\$\{pathListSep\}|[:;]/g;
    let from = 0;
    const value = decoded.value;
    const push = (to: number) => {
      const entry = value.slice(from, to);
      if (entry === `$penv{${key}}` || entry === `$env{${key}}`) appends = true;
      else if (entry !== '') out.push({ from, to, value: entry });
    };
    for (const match of value.matchAll(separator)) {
      const at = match.index;
      // A drive letter (`C:/x`) is no separator.
      if (match[0] === ':' && /^[A-Za-z]$/.test(value.slice(from, at)) && value[at + 1] === '/')
        continue;
      push(at);
      from = at + match[0].length;
    }
    push(value.length);
    return { entries: out, appends };
  }

  private pythonpath(preset: Preset, decoded: DecodedString, meta: Meta): void {
    const paths: string[] = [];
    let unresolved = false;
    const list = this.listEntries(decoded, 'PYTHONPATH');
    for (const entry of list.entries) {
      const value = this.expand(entry.value);
      const location = locate(value, this.dir);
      if (location.kind === 'unknown') {
        unresolved = true;
        paths.push(entry.value);
      } else {
        paths.push(location.kind === 'repo' && location.path === '' ? '.' : location.path);
      }
    }
    // PYTHONPATH picks no interpreter: it serves the one the preset sets, or the project's.
    const own = this.presetInterpreter(preset, new Set());
    const env: EnvironmentRef = { environment: own?.environment ?? this.context.unifiedVenv };
    if (unresolved) env.skipReason = 'contains-variable';
    else if (own?.skipReason) env.skipReason = own.skipReason;
    const pathMeta: Meta = { ...meta, paths };
    if (list.appends) pathMeta.appends = true;
    this.add(preset, decoded.start, decoded.end, 'pythonpath', env, pathMeta);
  }

  /** PATH entries that put a venv's bin directory on the search path. */
  private pathEntries(preset: Preset, decoded: DecodedString, meta: Meta): void {
    for (const entry of this.listEntries(decoded, 'PATH').entries) {
      const value = this.expand(entry.value);
      if (hasUnknown(value) || !/(?:^|[/\\])(?:bin|Scripts)$/.test(value)) continue;
      const dir = segments(value).slice(0, -1);
      if (!isVenvLikeName(dir[dir.length - 1] ?? '')) continue;
      const env = environmentOfInterpreter(`${value}/python`, this.dir, null);
      const span = rawSpan(decoded, entry.from, entry.to);
      this.add(preset, span.start, span.end, 'venv-activate', env, { ...meta, via: 'PATH' });
    }
  }

  /** The interpreter a preset hands CMake, itself or through `inherits` / `configurePreset`. */
  private presetInterpreter(preset: Preset, seen: Set<Preset>): EnvironmentRef | undefined {
    if (seen.has(preset)) return undefined;
    seen.add(preset);
    for (const [key, node] of entries(property(preset.node, 'cacheVariables'))) {
      if (!INTERPRETER_VARIABLES.has(key)) continue;
      const value = stringValue(node.type === 'object' ? property(node, 'value') : node);
      if (value !== undefined && value !== '')
        return this.interpreterEnvironment(this.expand(value));
    }
    const inherits = property(preset.node, 'inherits');
    const parents = [
      ...(stringValue(inherits) !== undefined ? [stringValue(inherits)!] : []),
      ...elements(inherits).map((n) => stringValue(n) ?? ''),
    ];
    const configure = stringValue(property(preset.node, 'configurePreset'));
    for (const name of parents) {
      const parent = this.presets.find((p) => p.type === preset.type && p.name === name);
      const env = parent && this.presetInterpreter(parent, seen);
      if (env) return env;
    }
    if (configure !== undefined) {
      const parent = this.presets.find(
        (p) => p.type === 'configurePresets' && p.name === configure,
      );
      return parent && this.presetInterpreter(parent, seen);
    }
    return undefined;
  }

  private add(
    preset: Preset,
    start: number,
    end: number,
    kind: ReferenceKind,
    env: EnvironmentRef,
    meta: Meta,
  ): void {
    if (end <= start) return;
    const consumer =
      preset.name === '' ? `CMake presets ${this.file}` : `CMake preset ${preset.name}`;
    const reference = makeReference(this.text, this.lines, this.file, start, end, {
      kind,
      adapter: 'cmake-presets',
      consumer,
      environment: env.environment,
    });
    if (env.skipReason !== undefined) reference.skipReason = env.skipReason;
    reference.meta = {
      preset: preset.name,
      presetType: preset.type,
      presetIndex: preset.index,
      ...meta,
    };
    this.references.push(reference);
  }
}
