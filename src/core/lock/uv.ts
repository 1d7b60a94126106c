import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../util/errors.js';
import { runProcess } from '../../util/exec.js';
import { log } from '../../util/log.js';
import { condenseUv, resolutionFailure } from './failure.js';
import { indexArgs, redactUrls } from './index-settings.js';
import { parseLockFile } from './lock-file.js';
import {
  lowestPython,
  previousPinLines,
  type Resolution,
  type ResolveRequest,
} from './resolution.js';

/**
 * `uv pip compile --universal`: one resolution that holds on every platform and every
 * Python the project admits, with environment markers where they differ. uv reads the
 * existing output file as preferences, so the previous pins are written there first and
 * kept unless `--upgrade`/`--upgrade-package` says otherwise.
 */

const OUTPUT = 'resolved.txt';

function baseArgs(request: Pick<ResolveRequest, 'config' | 'env'>): string[] {
  const args = [
    'pip',
    'compile',
    '--universal',
    '--generate-hashes',
    '--no-header',
    '--annotation-style',
    'split',
    '--color',
    'never',
    '--no-progress',
  ];
  // A missing interpreter version is only needed to build sdists; downloading one is
  // opt-in (python-install), like everywhere else in onevenv.
  if (!request.config.pythonInstall) args.push('--no-python-downloads');
  const lowest = lowestPython(request.config.requiresPython);
  if (lowest) args.push('--python-version', lowest);
  args.push(...indexArgs('uv', request.config, request.env));
  return args;
}

export async function resolveWithUv(uv: string, request: ResolveRequest): Promise<Resolution> {
  const args = baseArgs(request);
  if (request.upgrade) args.push('--upgrade');
  for (const name of request.upgradePackages) args.push('--upgrade-package', name);
  if (!request.upgrade && request.previous.length > 0) {
    await fs.writeFile(
      path.join(request.tempDir, OUTPUT),
      previousPinLines(request.previous, new Set()),
    );
  }
  args.push('--output-file', OUTPUT, ...request.written.files.map((f) => f.name));
  log.debug(`uv ${redactUrls(args.join(' '))}`);
  const result = await runProcess(uv, args, {
    cwd: request.tempDir,
    env: request.env,
    onStderr: request.onOutput,
  });
  if (result.code !== 0) {
    throw resolutionFailure(
      'uv',
      condenseUv(result.stderr) || `exit ${result.code ?? result.signal}`,
      request.written,
      request.tempDir,
    );
  }
  const output = await fs.readFile(path.join(request.tempDir, OUTPUT), 'utf8');
  const labels = new Map(request.written.files.map((f) => [`-r ${f.name}`, f.source.label]));
  const pins = parseLockFile(output).packages.map((pkg) => ({
    name: pkg.name,
    version: pkg.version,
    marker: pkg.marker,
    hashes: pkg.hashes,
    via: pkg.via.map((via) => labels.get(via) ?? via),
  }));
  const requiresPython = request.config.requiresPython?.replace(/\s+/g, '');
  return {
    installer: 'uv',
    pins,
    python: requiresPython || 'unspecified (requires-python is not set)',
    platform: 'any (universal resolution)',
  };
}

/**
 * PEP 751 `pylock.toml` from the finished lock: the lock's pins are the input, so both
 * files name the same versions.
 */
export async function writePylockWithUv(
  uv: string,
  request: Pick<ResolveRequest, 'config' | 'env' | 'tempDir'>,
  lockPath: string,
): Promise<string> {
  const output = path.join(request.tempDir, 'pylock.toml');
  const args = [...baseArgs(request), '--format', 'pylock.toml', '--output-file', output, lockPath];
  log.debug(`uv ${redactUrls(args.join(' '))}`);
  const result = await runProcess(uv, args, { cwd: request.tempDir, env: request.env });
  if (result.code !== 0) {
    throw new UserError(
      `uv could not write pylock.toml: ${redactUrls(condenseUv(result.stderr))}`,
      {
        fix: 'neither the lock nor pylock.toml was changed; run with -v for uv output',
      },
    );
  }
  return fs.readFile(output, 'utf8');
}
