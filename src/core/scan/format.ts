import type { DependencyDeclaration } from '../../adapters/types.js';
import { bold, dim, green, yellow } from '../../util/colors.js';
import { failsCheck, type ScanReference, type ScanResult } from './model.js';

/** `scan --json`: the public shape, nothing internal (spans, meta, timings). */
export interface ScanJson {
  root: string;
  environments: Array<{ id: string; path: string | null; consumers: string[] }>;
  references: Array<{
    file: string;
    line: number;
    column: number;
    kind: string;
    adapter: string;
    consumer: string;
    environment: string;
    text: string;
    unified: boolean;
    skipReason?: string;
  }>;
  dependencies: Array<{ name: string; specifier: string; source: string }>;
  venvsOnDisk: string[];
}

export function toScanJson(result: ScanResult): ScanJson {
  return {
    root: result.root,
    environments: result.environments.map(({ id, path, consumers }) => ({ id, path, consumers })),
    references: result.references.map((reference) => ({
      file: reference.file,
      line: reference.line,
      column: reference.column,
      kind: reference.kind,
      adapter: reference.adapter,
      consumer: reference.consumer,
      environment: reference.environment,
      text: reference.text,
      unified: reference.unified,
      ...(reference.skipReason === undefined ? {} : { skipReason: reference.skipReason }),
    })),
    dependencies: result.dependencies.map(({ name, specifier, source }) => ({
      name,
      specifier,
      source,
    })),
    venvsOnDisk: result.venvsOnDisk,
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One line, at most `width` characters: spans may cover several lines of a file. */
function excerpt(text: string, width = 72): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function environmentLabel(id: string, result: ScanResult): string {
  return id === result.unifiedVenv ? `${id} (unified)` : id;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function formatReference(reference: ScanReference): string {
  const skip = reference.skipReason ? `  ${dim(`(skip: ${reference.skipReason})`)}` : '';
  return `    ${reference.file}:${reference.line}  ${reference.kind}  ${excerpt(reference.text)}${skip}`;
}

function sourceFile(dependency: DependencyDeclaration): [string, number] {
  const index = dependency.source.lastIndexOf(':');
  if (index === -1) return [dependency.source, 0];
  return [dependency.source.slice(0, index), Number(dependency.source.slice(index + 1)) || 0];
}

function formatDependencies(dependencies: readonly DependencyDeclaration[]): string[] {
  if (dependencies.length === 0) return [];
  const byFile = new Map<string, Array<[number, string]>>();
  for (const dependency of dependencies) {
    const [file, line] = sourceFile(dependency);
    const list = byFile.get(file) ?? [];
    list.push([line, dependency.requirement || `${dependency.name}${dependency.specifier}`]);
    byFile.set(file, list);
  }
  const lines = [bold(`Dependencies declared: ${dependencies.length}`)];
  for (const file of [...byFile.keys()].sort()) {
    const entries = byFile
      .get(file)!
      .sort((a, b) => a[0] - b[0])
      .map(([, requirement]) => requirement);
    lines.push(`  ${file}: ${[...new Set(entries)].join(', ')}`);
  }
  return lines;
}

/**
 * The human report: how fragmented the repository is in one line, then every reference
 * under its environment and consumer, then dependencies, venvs on disk and the verdict.
 */
export function formatHuman(result: ScanResult): string {
  const lines: string[] = [];
  const { environments, references } = result;
  if (references.length === 0) {
    lines.push('No Python interpreter or venv references found.');
  } else {
    const summary = environments
      .map((env) => {
        const unified = env.id === result.unifiedVenv ? ', unified' : '';
        return `${env.id} (${plural(env.consumers.length, 'consumer')}${unified})`;
      })
      .join(', ');
    lines.push(`${bold(plural(environments.length, 'environment'))} in use: ${summary}`);
  }
  const byEnvironment = groupBy(references, (reference) => reference.environment);
  for (const environment of environments) {
    const own = byEnvironment.get(environment.id) ?? [];
    const heading = environmentLabel(environment.id, result);
    lines.push('', environment.id === result.unifiedVenv ? green(bold(heading)) : bold(heading));
    const byConsumer = groupBy(own, (reference) => reference.consumer);
    for (const consumer of environment.consumers) {
      lines.push(`  ${consumer}`);
      for (const reference of byConsumer.get(consumer) ?? [])
        lines.push(formatReference(reference));
    }
  }
  const dependencyLines = formatDependencies(result.dependencies);
  if (dependencyLines.length > 0) lines.push('', ...dependencyLines);
  lines.push(
    '',
    `Venvs on disk: ${result.venvsOnDisk.length === 0 ? 'none' : result.venvsOnDisk.join(', ')}`,
  );
  lines.push('', verdict(result));
  return `${lines.join('\n')}\n`;
}

/** The last line of the human report, and what `--check` decides on. */
export function verdict(result: ScanResult): string {
  const off = result.references.filter((reference) => !reference.unified);
  const failing = off.filter(failsCheck);
  if (off.length === 0) {
    return green(
      result.references.length === 0
        ? `Nothing to move: no consumer names a Python environment (unified venv: ${result.unifiedVenv}).`
        : `Every reference uses the unified venv ${result.unifiedVenv}.`,
    );
  }
  const exempt = off.length - failing.length;
  const note =
    exempt > 0 ? ` (${exempt} only reported: documentation or external interpreters)` : '';
  const text = `${plural(off.length, 'reference')} off the unified venv ${result.unifiedVenv}${note}.`;
  if (failing.length === 0) return yellow(text);
  return yellow(`${text} Run 'onevenv adopt' to move them.`);
}

/** Mermaid labels live in double quotes; these would end the string or become markup. */
function mermaidLabel(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;');
}

/**
 * Node ids from the names (not from positions), so adding one consumer does not
 * renumber every other node in a diagram under review.
 */
function nodeIds(prefix: string, names: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const name of names) {
    const slug = name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
    let id = `${prefix}_${slug}`;
    for (let n = 2; used.has(id); n++) id = `${prefix}_${slug}_${n}`;
    used.add(id);
    ids.set(name, id);
  }
  return ids;
}

/** `scan --format mermaid`: consumers → environments, to paste into a pull request. */
export function formatMermaid(result: ScanResult): string {
  const consumers = [...new Set(result.references.map((r) => r.consumer))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const environmentNames = result.environments.map((env) => env.id);
  const consumerIds = nodeIds('c', consumers);
  const environmentIds = nodeIds('e', environmentNames);
  const lines = ['flowchart LR'];
  for (const consumer of consumers) {
    lines.push(`  ${consumerIds.get(consumer)}["${mermaidLabel(consumer)}"]`);
  }
  for (const id of environmentNames) {
    lines.push(`  ${environmentIds.get(id)}[("${mermaidLabel(id)}")]`);
  }
  const edges = new Set<string>();
  for (const reference of result.references) {
    const edge = `  ${consumerIds.get(reference.consumer)} --> ${environmentIds.get(reference.environment)}`;
    edges.add(edge);
  }
  lines.push(...[...edges].sort());
  const unifiedId = environmentIds.get(result.unifiedVenv);
  const stray = environmentNames.filter((id) => id !== result.unifiedVenv);
  if (unifiedId) {
    lines.push('  classDef unified fill:#e6f4ea,stroke:#1e8e3e');
    lines.push(`  class ${unifiedId} unified`);
  }
  if (stray.length > 0) {
    lines.push('  classDef stray fill:#fdecea,stroke:#d93025');
    lines.push(`  class ${stray.map((id) => environmentIds.get(id)).join(',')} stray`);
  }
  return `${lines.join('\n')}\n`;
}
