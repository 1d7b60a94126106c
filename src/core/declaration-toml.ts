import { parse as parseToml, TomlError } from 'smol-toml';
import { UserError } from '../util/errors.js';
import { CONFIG_FILE } from './root.js';

/** Parses python/pyproject.toml's text; a syntax error is one line with its position. */
export function parseDeclarationToml(text: string): unknown {
  try {
    return parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const message = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new UserError(`invalid TOML: ${message}`, {
        location: { file: CONFIG_FILE, line: error.line, column: error.column },
        fix: 'fix the syntax and run again',
      });
    }
    throw error;
  }
}
