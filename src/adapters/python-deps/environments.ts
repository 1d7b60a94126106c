import { LineIndex, makeReference } from '../reference.js';
import {
  ENV_PATH_PYTHON,
  ENV_SYSTEM,
  ENV_UNKNOWN,
  type Reference,
  type SkipReason,
} from '../types.js';
import { containsVariable, directoryOf, resolveFrom } from './paths.js';

/**
 * A dependency file's tool settings that name an environment (pyright `venvPath`/`venv`,
 * mypy `python_executable`) are references like any other. adopt has no rewrite for
 * them, so they carry skipReason 'unsupported' and scan lists them for a person to fix.
 */

interface ValueSpan {
  start: number;
  end: number;
}

interface EnvironmentSetting {
  /** A venv directory, relative to the file's directory. */
  venv?: string;
  /** An interpreter path, relative to the file's directory, or a bare command. */
  interpreter?: string;
  consumer: string;
}

const VENV_INTERPRETER = /^(.+?)[/\\](bin[/\\]python[0-9.]*|Scripts[/\\]python[0-9.]*(\.exe)?)$/i;

export function environmentReference(
  content: string,
  file: string,
  span: ValueSpan,
  setting: EnvironmentSetting,
  lines: LineIndex = new LineIndex(content),
): Reference {
  const written = setting.venv ?? setting.interpreter ?? '';
  let environment = ENV_UNKNOWN;
  let skipReason: SkipReason = 'unsupported';
  const inVenv = setting.interpreter ? VENV_INTERPRETER.exec(setting.interpreter) : null;
  if (containsVariable(written)) {
    skipReason = 'contains-variable';
  } else if (/^([/\\]|[A-Za-z]:[/\\]|~)/.test(written)) {
    environment = ENV_SYSTEM;
    skipReason = 'external-interpreter';
  } else if (setting.venv !== undefined) {
    environment = resolveFrom(directoryOf(file), setting.venv);
  } else if (inVenv) {
    environment = resolveFrom(directoryOf(file), inVenv[1]!);
  } else if (!/[/\\]/.test(written)) {
    environment = ENV_PATH_PYTHON;
  }
  return makeReference(content, lines, file, span.start, span.end, {
    kind: 'interpreter-path',
    adapter: 'python-deps',
    consumer: setting.consumer,
    environment,
    skipReason,
  });
}
