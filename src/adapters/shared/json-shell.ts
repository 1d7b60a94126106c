import { decodeString, type JsonNode } from './jsonc.js';
import { MappedText } from './mapped-text.js';
import {
  type MappedShellOptions,
  type ShellHit,
  type ShellVariables,
  scanMappedShell,
} from './shell.js';

/**
 * Shell text held in JSON strings: a VS Code task's `command` + `args`, a devcontainer
 * lifecycle command (a string, or an argv array). The strings are joined into one command
 * line the way the tool runs them, then scanned by the shared shell scanner; each finding
 * maps back to the raw span of the file and to the JSON path of the string it starts in.
 */

export interface JsonShellPart {
  node: JsonNode;
  path: string[];
  /**
   * How the string becomes part of the command line: `shell` as written (it is shell
   * text), `argument` quoted only when it holds blanks (VS Code shell tasks quote such
   * arguments), `argv` quoted so the shell reads it as one literal word (no shell runs).
   */
  as: 'shell' | 'argument' | 'argv';
}

export interface JsonShellHit extends ShellHit {
  /** JSON path of the string the finding starts in. */
  path: string[];
}

/** Characters a word must not hold to go into a command line unquoted. */
const NEEDS_QUOTES = /[\s'"\\`$&|;<>(){}*?[\]#~!]/;

export function scanJsonShell(
  text: string,
  parts: readonly JsonShellPart[],
  options: MappedShellOptions,
): { hits: JsonShellHit[]; variables: ShellVariables } {
  const mapped = new MappedText();
  const pieces: Array<{ start: number; end: number; path: string[] }> = [];
  for (const part of parts) {
    const decoded = decodeString(text, part.node);
    if (!decoded) continue;
    if (mapped.value.length > 0) mapped.appendSynthetic(' ', decoded.start);
    pieces.push({ start: decoded.start, end: decoded.end, path: part.path });
    const value = decoded.value;
    if (part.as === 'shell' || value === '' || !NEEDS_QUOTES.test(value)) {
      mapped.appendDecoded(decoded);
      continue;
    }
    if (part.as === 'argument' && !/\s/.test(value)) {
      mapped.appendDecoded(decoded);
      continue;
    }
    // Double quotes keep `${workspaceFolder}`-style placeholders visible to the scanner
    // (the tool substitutes them before anything runs); everything else stays literal.
    mapped.appendSynthetic('"', decoded.start);
    for (let i = 0; i < value.length; i++) {
      const ch = value[i]!;
      const literalDollar = ch === '$' && (part.as === 'argv' ? value[i + 1] !== '{' : false);
      if (ch === '"' || ch === '\\' || ch === '`' || literalDollar) {
        mapped.appendSynthetic('\\', decoded.offsets[i]!);
      }
      mapped.appendDecodedUnit(decoded, i);
    }
    mapped.appendSynthetic('"', decoded.end);
  }
  if (mapped.value.length === 0) return { hits: [], variables: { ...(options.variables ?? {}) } };
  const { hits, variables } = scanMappedShell(mapped, options);
  return {
    hits: hits.map((hit) => {
      const piece =
        pieces.find((p) => hit.span.start >= p.start && hit.span.start <= p.end) ?? pieces[0]!;
      return { ...hit, path: piece.path };
    }),
    variables,
  };
}
