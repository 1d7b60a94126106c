import { type ScanShellOptions, scanShell } from '../../core/shell/index.js';

/** A directory no repository has a venv in, as the probe's name. */
const PROBE = '__onevenv_cwd__';

/**
 * The repo-relative directory a command placed right after `prefix` runs in, read by the
 * shared scanner (which follows `cd`, `pushd`, subshells and variables): the text, then a
 * probe interpreter the scanner resolves against its current directory. Undefined when
 * the scanner cannot tell.
 */
export function directoryAfter(prefix: string, options: ScanShellOptions): string | undefined {
  const probe = `${PROBE}/bin/python3`;
  const text = `${prefix}\n${probe}\n`;
  const { findings } = scanShell(text, options);
  const found = findings.find(
    (f) => f.start > prefix.length && text.slice(f.start, f.end) === probe,
  );
  if (found === undefined || found.skipReason !== undefined) return undefined;
  const environment = found.environment;
  if (environment === PROBE) return '';
  if (environment.endsWith(`/${PROBE}`)) return environment.slice(0, -PROBE.length - 1);
  return undefined;
}

/**
 * The repo-relative directory a one-entry PYTHONPATH value `raw` names when assigned right
 * after `prefix`, read by the shared scanner; undefined when it cannot tell.
 */
export function pythonpathAfter(
  prefix: string,
  raw: string,
  options: ScanShellOptions,
): string | undefined {
  const text = `${prefix}\nPYTHONPATH=${raw}\n`;
  const found = scanShell(text, options).findings.find(
    (f) => f.kind === 'pythonpath' && f.start > prefix.length,
  );
  const paths = found?.meta?.paths;
  if (found?.skipReason !== undefined || !Array.isArray(paths) || paths.length !== 1)
    return undefined;
  return paths[0];
}
