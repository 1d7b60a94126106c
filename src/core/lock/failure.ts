import { UserError } from '../../util/errors.js';
import { redactUrls } from './index-settings.js';
import type { InputRequirement, WrittenSources } from './inputs.js';

/**
 * A failed resolution becomes one line: the resolver's own explanation, condensed, with
 * its temporary file names replaced by the requirements they stand for, then the
 * requirements involved and where each was declared (group, file:line).
 */

/** uv: `error:`/`cause:`/`hint:` lines and their continuations. */
export function condenseUv(stderr: string): string {
  const lines = stderr.split('\n');
  const start = lines.findIndex((line) => /^\s*(error|×)[:\s]/.test(line));
  const relevant = (start === -1 ? lines : lines.slice(start))
    .map((line) =>
      line
        .replace(/^\s*(error|cause|hint|×|╰─▶|help):?\s*/, '')
        .replace(/^[\s│]+/, '')
        .trim(),
    )
    .filter((line) => line !== '');
  return relevant.join(' ').replace(/:\s+(?=Because|Caused)/g, ': ');
}

/** pip: the ERROR lines and the "conflict is caused by" block; the generic advice goes. */
export function condensePip(output: string): string {
  const lines = output.split('\n').map((line) => line.trimEnd());
  const parts: string[] = [];
  let inConflict = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (/^The conflict is caused by:/.test(trimmed)) {
      inConflict = true;
      parts.push('The conflict is caused by:');
      continue;
    }
    if (inConflict) {
      if (trimmed === '') {
        if (parts[parts.length - 1] !== 'The conflict is caused by:') inConflict = false;
        continue;
      }
      if (/^(To fix this|Additionally)/.test(trimmed)) {
        inConflict = false;
        continue;
      }
      parts.push(`${trimmed};`);
      continue;
    }
    if (/^ERROR: ResolutionImpossible/.test(trimmed)) continue;
    if (/^ERROR:/.test(trimmed)) parts.push(trimmed.replace(/^ERROR:\s*/, ''));
  }
  const text = parts
    .join(' ')
    .replace(/;$/, '')
    .replace(/; (?=\S+ because)/, '. ');
  return (
    text ||
    lines
      .filter((l) => l.trim() !== '')
      .slice(-3)
      .join(' ')
  );
}

function words(text: string): Set<string> {
  return new Set(
    (text.match(/[A-Za-z0-9][A-Za-z0-9._-]*/g) ?? []).map((w) =>
      w
        .replace(/[.]+$/, '')
        .toLowerCase()
        .replace(/[-_.]+/g, '-'),
    ),
  );
}

function describeRequirement(requirement: InputRequirement, label: string): string {
  const where = `${requirement.file}${requirement.line === undefined ? '' : `:${requirement.line}`}`;
  const declared =
    requirement.declaredIn && `group:${requirement.declaredIn}` !== label
      ? ` (from group:${requirement.declaredIn})`
      : '';
  return `"${requirement.raw}" in ${label}${declared} at ${where}`;
}

export function resolutionFailure(
  installer: 'uv' | 'pip',
  explanation: string,
  written: WrittenSources,
  tempDir: string,
): UserError {
  let text = explanation.split(`${tempDir}/`).join('').split(tempDir).join('<temp>');
  // pip names requirements by file and line: put the requirement itself back.
  const byFile = new Map(written.files.map((f) => [f.name, f.source]));
  text = text.replace(/-r (\S+?\.in) \(line (\d+)\)/g, (whole, file: string, line: string) => {
    const requirement = byFile.get(file)?.requirements[Number(line) - 1];
    return requirement ? requirement.raw : whole;
  });
  for (const { name, source } of written.files) text = text.split(`-r ${name}`).join(source.label);
  text = redactUrls(text.replace(/\s+/g, ' ').trim());

  const mentioned = words(text);
  const involved: string[] = [];
  let first: InputRequirement | undefined;
  for (const { source } of written.files) {
    for (const requirement of source.requirements) {
      if (!mentioned.has(requirement.normalizedName)) continue;
      involved.push(describeRequirement(requirement, source.label));
      first ??= requirement;
    }
  }
  const requested = involved.length > 0 ? ` Requested by: ${involved.join('; ')}.` : '';
  return new UserError(`${installer} cannot resolve the requirements: ${text}${requested}`, {
    location: first ? { file: first.file, line: first.line } : undefined,
    fix: 'change the requirements named above and run onevenv lock again; the lock was not changed',
  });
}

/** Anything else that went wrong running the resolver (network, index, a crash). */
export function installerFailure(installer: 'uv' | 'pip', output: string): UserError {
  const condensed = installer === 'uv' ? condenseUv(output) : condensePip(output);
  return new UserError(`${installer} failed: ${redactUrls(condensed) || 'no output'}`, {
    fix: 'the lock was not changed; run with -v for the full output',
  });
}
