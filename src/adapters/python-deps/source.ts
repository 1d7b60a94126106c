import { parseRequirement, type Requirement } from '../../core/pep508.js';
import type {
  DependencyDeclaration,
  DependencySource,
  DetectContext,
  DetectResult,
  Reference,
} from '../types.js';
import { besideUnifiedVenv, contextOf } from './paths.js';
import { redactCredentials } from './redact.js';

type Meta = NonNullable<DependencyDeclaration['meta']>;
type Origin = DependencySource['origin'];

/** Collects what one dependency file declares; the parsers for each file kind fill it. */
export class SourceBuilder {
  readonly dependencies: DependencyDeclaration[] = [];
  readonly references: Reference[] = [];
  readonly source: DependencySource;

  constructor(
    readonly file: string,
    readonly origin: Origin,
    context: DetectContext,
  ) {
    this.source = {
      file,
      context: contextOf(file),
      origin,
      unified: besideUnifiedVenv(file, context.unifiedVenv),
      includes: [],
      directInstalls: [],
      options: [],
      groupIncludes: [],
      problems: [],
    };
  }

  problem(line: number, message: string): void {
    // Messages quote the user's text; a secret in it must not reach a terminal or a log.
    const safe = redactCredentials(message);
    this.source.problems.push({ source: `${this.file}:${line}`, line, message: safe });
  }

  /** Parses a PEP 508 string; an invalid one becomes a problem. Returns whether it parsed. */
  requirement(text: string, line: number, meta: Meta = {}): boolean {
    const parsed = parseRequirement(text);
    if (!parsed.ok) {
      this.problem(line, parsed.error);
      return false;
    }
    this.accept(parsed.requirement, line, meta);
    return true;
  }

  accept(requirement: Requirement, line: number, meta: Meta = {}): void {
    const full: Meta = {};
    if (requirement.extras.length > 0) full.extras = requirement.extras;
    if (requirement.marker !== undefined) full.marker = requirement.marker;
    if (requirement.url !== undefined) full.url = requirement.url;
    this.add(requirement.raw.trim(), requirement.normalizedName, requirement.specifier, line, {
      ...full,
      ...meta,
    });
  }

  add(requirement: string, name: string, specifier: string, line: number, meta: Meta): void {
    const declaration: DependencyDeclaration = {
      requirement,
      name,
      specifier,
      source: `${this.file}:${line}`,
      context: this.source.context,
      origin: this.origin,
    };
    if (Object.keys(meta).length > 0) declaration.meta = meta;
    this.dependencies.push(declaration);
  }

  /** null when the file declares nothing at all, as adapters do for "nothing here". */
  result(): DetectResult | null {
    const s = this.source;
    const empty =
      this.dependencies.length === 0 &&
      this.references.length === 0 &&
      s.includes.length === 0 &&
      s.directInstalls.length === 0 &&
      s.options.length === 0 &&
      s.groupIncludes.length === 0 &&
      s.problems.length === 0 &&
      s.package === undefined &&
      s.requiresPython === undefined;
    if (empty) return null;
    return { references: this.references, dependencies: this.dependencies, dependencySource: s };
  }
}
