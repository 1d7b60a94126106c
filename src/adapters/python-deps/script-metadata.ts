import { parse as parseToml, TomlError } from 'smol-toml';
import { validSpecifier } from '../../core/pep508.js';
import type { DetectContext, DetectResult } from '../types.js';
import { redactCredentials } from './redact.js';
import { SourceBuilder } from './source.js';
import { TomlPositions } from './toml-positions.js';

/**
 * PEP 723 inline script metadata: a `# /// script` … `# ///` comment block whose lines,
 * with the leading `# ` removed, are TOML holding `dependencies` and `requires-python`.
 * It is the script's own dependency declaration (what `uv run` and `pipx run` install).
 */
export function detectScriptMetadata(
  content: string,
  file: string,
  context: DetectContext,
): DetectResult | null {
  if (!content.includes('# /// script')) return null;
  const lines = content.split('\n').map((line) => line.replace(/\r$/, ''));
  const start = lines.findIndex((line) => /^# \/\/\/ script\s*$/.test(line));
  if (start === -1) return null;
  const builder = new SourceBuilder(file, 'pyproject', context);
  const body: string[] = [];
  let end = -1;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^# \/\/\/\s*$/.test(line)) end = i;
    if (line !== '#' && !line.startsWith('# ')) break;
    body.push(line === '#' ? '' : line.slice(2));
  }
  if (end === -1) {
    builder.problem(start + 1, "the '# /// script' block has no closing '# ///' line");
    return builder.result();
  }
  // The last '# ///' closes the block (PEP 723); what follows it was read as TOML too.
  const toml = body.slice(0, end - start - 1).join('\n');
  const firstLine = start + 2;
  let data: Record<string, unknown>;
  try {
    data = parseToml(toml);
  } catch (error) {
    const line = error instanceof TomlError ? Math.max(1, error.line) : 1;
    const message = (error as Error).message
      .split('\n')[0]!
      .replace(/^Invalid TOML document: /, '');
    builder.problem(firstLine + line - 1, `invalid script metadata: ${message}`);
    return builder.result();
  }
  const positions = new TomlPositions(toml);
  const requiresPython = data['requires-python'];
  if (typeof requiresPython === 'string') {
    const line = firstLine + positions.keyLine(['requires-python']) - 1;
    const specifier = requiresPython.replace(/\s+/g, '');
    if (specifier !== '' && validSpecifier(specifier)) {
      builder.source.requiresPython = { specifier, line };
    } else {
      builder.problem(
        line,
        `requires-python '${requiresPython}' is not a PEP 440 version specifier`,
      );
    }
  }
  const dependencies = Array.isArray(data.dependencies) ? data.dependencies : [];
  const strings = dependencies.filter((d): d is string => typeof d === 'string');
  const found = positions.valueLines(['dependencies'], strings);
  strings.forEach((entry, i) => {
    const clean = redactCredentials(entry);
    const meta: Record<string, boolean> = { script: true };
    if (clean !== entry) meta.redacted = true;
    builder.requirement(clean, firstLine + found[i]! - 1, meta);
  });
  return builder.result();
}
