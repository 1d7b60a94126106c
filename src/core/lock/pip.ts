import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../util/errors.js';
import { runProcess } from '../../util/exec.js';
import { log } from '../../util/log.js';
import { normalizeName, parseRequirement } from '../pep508.js';
import { condensePip, resolutionFailure } from './failure.js';
import { indexArgs, redactUrls } from './index-settings.js';
import type { PinToRender } from './lock-file.js';
import { previousPinLines, type Resolution, type ResolveRequest } from './resolution.js';

/**
 * pip's resolver: `pip install --dry-run --ignore-installed --report` resolves for the
 * interpreter that runs it, so the lock holds for that Python and platform only (the
 * header says so). pip has no notion of preferred versions: the previous pins are
 * passed as constraints, and when they no longer fit the new requirements the
 * resolution is repeated without them.
 */

interface ReportItem {
  metadata: {
    name: string;
    version: string;
    requires_dist?: string[];
  };
  download_info?: {
    url: string;
    archive_info?: { hash?: string; hashes?: Record<string, string> };
    dir_info?: unknown;
    vcs_info?: unknown;
  };
  requested?: boolean;
  requested_extras?: string[];
}

interface Report {
  install: ReportItem[];
  environment: Record<string, string>;
}

export interface PipInterpreter {
  path: string;
  version: string;
}

async function runPip(
  python: string,
  args: string[],
  request: ResolveRequest,
): Promise<{ ok: boolean; output: string }> {
  log.debug(`${python} -m pip ${redactUrls(args.join(' '))}`);
  const result = await runProcess(python, ['-m', 'pip', ...args], {
    cwd: request.tempDir,
    env: {
      ...request.env,
      // A dry run installs nothing: neither an externally managed Python (PEP 668) nor
      // a "require a virtualenv" setting has anything to protect here.
      PIP_BREAK_SYSTEM_PACKAGES: '1',
      PIP_REQUIRE_VIRTUALENV: '0',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    },
    onStderr: request.onOutput,
  });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.code !== 0 && /No module named pip/.test(result.stderr)) {
    throw new UserError(`${python} has no pip`, {
      fix: 'install uv (then onevenv resolves with it), or pip for that Python (Debian: apt install python3-pip)',
    });
  }
  if (result.code !== 0 && /no such option: --(report|dry-run)/.test(result.stderr)) {
    throw new UserError(
      `the pip of ${python} is too old to resolve without installing (needs pip >= 22.2)`,
      {
        fix: `run '${python} -m pip install --upgrade pip', or install uv`,
      },
    );
  }
  return { ok: result.code === 0, output };
}

export async function resolveWithPip(
  interpreter: PipInterpreter,
  request: ResolveRequest,
): Promise<Resolution> {
  const reportPath = path.join(request.tempDir, 'report.json');
  const args = [
    'install',
    '--dry-run',
    '--ignore-installed',
    '--report',
    reportPath,
    '--no-input',
    '--progress-bar',
    'off',
    ...indexArgs('pip', request.config, request.env),
  ];
  const files = request.written.files.flatMap((f) => ['-r', f.name]);
  let constraints: string[] = [];
  if (!request.upgrade && request.previous.length > 0) {
    const pins = previousPinLines(request.previous, new Set(request.upgradePackages));
    if (pins) {
      await fs.writeFile(path.join(request.tempDir, 'previous-pins.txt'), pins);
      constraints = ['-c', 'previous-pins.txt'];
    }
  }
  let run = await runPip(interpreter.path, [...args, ...constraints, ...files], request);
  // Only a conflict with the old pins is worth a second resolution; an unknown package
  // or an unreachable index fails the same way without them.
  if (!run.ok && constraints.length > 0 && /ResolutionImpossible|\(constraint\)/.test(run.output)) {
    log.info('the previous pins do not fit the new requirements; resolving without them');
    run = await runPip(interpreter.path, [...args, ...files], request);
  }
  if (!run.ok) {
    throw resolutionFailure('pip', condensePip(run.output), request.written, request.tempDir);
  }
  const report = JSON.parse(await fs.readFile(reportPath, 'utf8')) as Report;
  const pins = await pinsFromReport(report, request, interpreter);
  const environment = report.environment;
  return {
    installer: 'pip',
    pins,
    python: `${environment.python_version ?? interpreter.version} (${environment.implementation_name ?? 'python'}; this Python only)`,
    platform: `${environment.sys_platform ?? process.platform} ${environment.platform_machine ?? process.arch} (this platform only)`,
  };
}

function extraOf(marker: string | undefined): string | undefined {
  if (!marker) return undefined;
  const match = /\bextra\s*==\s*["']([^"']+)["']/.exec(marker);
  return match ? normalizeName(match[1]!) : undefined;
}

async function pinsFromReport(
  report: Report,
  request: ResolveRequest,
  interpreter: PipInterpreter,
): Promise<PinToRender[]> {
  const items = new Map<string, ReportItem>();
  for (const item of report.install) items.set(normalizeName(item.metadata.name), item);

  // Extras are requested by the sources and, transitively, by parents (`pkg[extra]`).
  const extras = new Map<string, Set<string>>([...items.keys()].map((name) => [name, new Set()]));
  for (const { source } of request.written.files) {
    for (const requirement of source.requirements) {
      const parsed = parseRequirement(requirement.raw);
      if (!parsed.ok) continue;
      for (const extra of parsed.requirement.extras) {
        extras.get(requirement.normalizedName)?.add(normalizeName(extra));
      }
    }
  }
  const parents = new Map<string, Set<string>>([...items.keys()].map((name) => [name, new Set()]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, item] of items) {
      for (const dependency of item.metadata.requires_dist ?? []) {
        const parsed = parseRequirement(dependency);
        if (!parsed.ok) continue;
        const target = parsed.requirement.normalizedName;
        if (!items.has(target) || target === name) continue;
        const extra = extraOf(parsed.requirement.marker);
        if (extra !== undefined && !extras.get(name)!.has(extra)) continue;
        const before = parents.get(target)!.size + extras.get(target)!.size;
        parents.get(target)!.add(name);
        for (const e of parsed.requirement.extras) extras.get(target)!.add(normalizeName(e));
        if (parents.get(target)!.size + extras.get(target)!.size !== before) changed = true;
      }
    }
  }

  const missingHashes: Array<{ name: string; url: string }> = [];
  const pins: PinToRender[] = [];
  for (const [name, item] of items) {
    const info = item.download_info;
    if (!info || info.dir_info !== undefined || info.vcs_info !== undefined) {
      throw new UserError(
        `${name} resolves to a local directory or a VCS checkout (${redactUrls(info?.url ?? 'unknown')}), which a hashed lock cannot pin`,
        {
          fix: 'list the directory in [tool.onevenv] editable instead, or require a released version',
        },
      );
    }
    const hashes: string[] = [];
    const sha =
      info.archive_info?.hashes?.sha256 ?? /^sha256=(.+)$/.exec(info.archive_info?.hash ?? '')?.[1];
    if (sha) hashes.push(`sha256:${sha}`);
    else missingHashes.push({ name, url: info.url });
    const via: string[] = [];
    for (const { source } of request.written.files) {
      if (source.requirements.some((r) => r.normalizedName === name)) via.push(source.label);
    }
    via.push(...parents.get(name)!);
    pins.push({ name, version: item.metadata.version, marker: undefined, hashes, via });
  }
  if (missingHashes.length > 0) {
    const computed = await hashArtifacts(interpreter, missingHashes, request);
    for (const pin of pins) {
      const hash = computed.get(pin.name);
      if (hash) pin.hashes.push(hash);
    }
  }
  return pins;
}

async function sha256File(file: string): Promise<string> {
  return `sha256:${createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex')}`;
}

/**
 * An index without hash fragments (some private ones): hash the very artifacts pip
 * chose. Local files are read directly; remote ones are fetched by pip, with the same
 * index settings and credentials it resolved with.
 */
async function hashArtifacts(
  interpreter: PipInterpreter,
  artifacts: Array<{ name: string; url: string }>,
  request: ResolveRequest,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const remote: Array<{ name: string; url: string }> = [];
  for (const artifact of artifacts) {
    if (artifact.url.startsWith('file:')) {
      out.set(artifact.name, await sha256File(fileURLToPath(artifact.url.replace(/#.*$/, ''))));
    } else {
      remote.push(artifact);
    }
  }
  if (remote.length === 0) return out;
  const dest = path.join(request.tempDir, 'downloads');
  const run = await runPip(
    interpreter.path,
    [
      'download',
      '--no-deps',
      '--no-input',
      '--progress-bar',
      'off',
      '--dest',
      dest,
      ...indexArgs('pip', request.config, request.env),
      ...remote.map((r) => r.url.replace(/#.*$/, '')),
    ],
    request,
  );
  if (!run.ok) {
    throw new UserError(
      `pip could not download artifacts to hash them: ${redactUrls(condensePip(run.output))}`,
      {
        fix: 'the lock was not changed; check the index and run again',
      },
    );
  }
  for (const artifact of remote) {
    const file = decodeURIComponent(new URL(artifact.url).pathname.split('/').pop() ?? '');
    out.set(artifact.name, await sha256File(path.join(dest, file)));
  }
  return out;
}
