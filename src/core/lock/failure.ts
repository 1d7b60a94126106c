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
  // "No solution found when resolving dependencies" introduces the explanation.
  if (relevant.length > 1 && !/[.:]$/.test(relevant[0]!)) relevant[0] = `${relevant[0]}:`;
  return relevant.join(' ');
}

/** pip: the ERROR lines, then the "conflict is caused by" block; the generic advice goes. */
export function condensePip(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  const errors: string[] = [];
  const conflict: string[] = [];
  let network: string | undefined;
  let inConflict = false;
  for (const line of lines) {
    if (/^The conflict is caused by:/.test(line)) {
      inConflict = true;
      continue;
    }
    if (inConflict) {
      if (line === '' && conflict.length === 0) continue;
      if (line === '' || /^(To fix this|Additionally)/.test(line)) {
        inConflict = false;
        continue;
      }
      conflict.push(line);
      continue;
    }
    if (/^ERROR: ResolutionImpossible/.test(line)) continue;
    if (/^ERROR:/.test(line)) errors.push(sentence(line.replace(/^ERROR:\s*/, '')));
    if (/^WARNING:.*(connection|Could not fetch URL|SSLError|ProxyError|timed out)/i.test(line)) {
      network = line;
    }
  }
  if (conflict.length > 0) {
    errors.push(`The conflict is caused by: ${conflict.join('; ')}.`);
  }
  // pip reports an unreachable index as "no versions found"; its warning says why.
  if (network !== undefined) {
    const reason =
      /Failed to establish a new connection: ([^'"]+)/.exec(network)?.[1] ??
      network.replace(/^WARNING:\s*/, '').slice(0, 200);
    errors.push(`Network error: ${sentence(reason.trim())}`);
  }
  if (errors.length > 0) return errors.join(' ');
  return lines
    .filter((line) => line !== '')
    .slice(-3)
    .join(' ');
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
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
  text = sentence(redactUrls(text.replace(/\s+/g, ' ').trim()));

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
  const unresolvable =
    /No solution found|Could not find a version|conflicting dependencies|conflict is caused/.test(
      text,
    ) && !/Network error:/.test(text);
  if (!unresolvable) {
    return new UserError(`${installer} failed: ${text}${requested}`, {
      fix: 'check the network and the index settings (PIP_INDEX_URL, UV_DEFAULT_INDEX, [tool.onevenv] index-url); the lock was not changed',
    });
  }
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
