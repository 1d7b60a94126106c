import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { commands, findCommand } from './commands/registry.js';
import type { CommandHelp, CommandModule } from './commands/types.js';
import { bold, setColorEnabled } from './util/colors.js';
import {
  EXIT_INTERNAL,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USER_ERROR,
  formatUserError,
  InterruptedError,
  UserError,
  UserErrors,
} from './util/errors.js';
import { installSignalHandlers } from './util/exec.js';
import { log, setLogLevel } from './util/log.js';

const globalOptions = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  cwd: { type: 'string', short: 'C' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
  'no-color': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const globalHelp: Array<[string, string]> = [
  ['--json', 'machine-readable result on stdout'],
  ['-C, --cwd <dir>', 'run as if started in <dir>'],
  ['-v, --verbose', 'more detail on stderr'],
  ['-q, --quiet', 'only warnings and errors on stderr'],
  ['--no-color', 'no colour (also NO_COLOR=1)'],
  ['-h, --help', 'help for a command'],
];

export function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function formatTable(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

function mainHelp(): string {
  return [
    `${bold('onevenv')} ${packageVersion()} — one pinned, verified Python environment for a polyglot repository`,
    '',
    'Usage: onevenv <command> [options]',
    '',
    'Commands:',
    formatTable(commands.map((entry) => [entry.name, entry.summary])),
    '',
    'Options:',
    formatTable([...globalHelp, ['--version', 'print the version']]),
    '',
    'Exit codes: 0 ok, 1 findings or a failed check, 2 user error, 3 internal error.',
    "Run 'onevenv <command> --help' for a command's options and examples.",
  ].join('\n');
}

function commandHelp(help: CommandHelp): string {
  const parts = [`Usage: ${help.usage}`, '', help.description];
  if (help.options?.length) parts.push('', 'Options:', formatTable(help.options));
  parts.push('', 'Global options:', formatTable(globalHelp));
  if (help.examples?.length) {
    parts.push('', 'Examples:');
    for (const [example, description] of help.examples) {
      parts.push(`  $ ${example}`, `    ${description}`);
    }
  }
  return parts.join('\n');
}

function splitPassthrough(argv: string[]): [string[], string[]] {
  const index = argv.indexOf('--');
  if (index === -1) return [argv, []];
  return [argv.slice(0, index), argv.slice(index + 1)];
}

function parseCommandArgs(name: string, module: CommandModule, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { ...globalOptions, ...module.options },
      allowPositionals: module.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    // node's messages run on with advice about '--'; the first sentence is the problem.
    const first = (error as Error).message.split(/\.( |$)/)[0] ?? 'invalid arguments';
    throw new UserError(first.charAt(0).toLowerCase() + first.slice(1), {
      fix: `see 'onevenv ${name} --help'`,
    });
  }
}

/** What the file system refused, and why (the machine's doing, not a bug of onevenv). */
const REFUSALS: Record<string, [string, string]> = {
  EACCES: ['permission denied', 'check the permissions of that path'],
  EPERM: ['operation not permitted', 'check the permissions and attributes (chattr) of that path'],
  EROFS: ['read-only file system', 'run where the repository is writable'],
  ENOSPC: ['no space left on the device', 'free some space and run again'],
  EDQUOT: ['disk quota exceeded', 'free some space and run again'],
  EISDIR: ['is a directory, not a file', 'move the directory away'],
  ENOTDIR: ['a part of the path is not a directory', 'move the file in the way'],
};

const SYSCALL_VERBS: Record<string, string> = {
  open: 'open',
  mkdir: 'create',
  link: 'create',
  symlink: 'create',
  rename: 'rename',
  unlink: 'remove',
  rmdir: 'remove',
  rm: 'remove',
  scandir: 'read',
  read: 'read',
  write: 'write',
  copyfile: 'copy',
  chmod: 'change the mode of',
};

/** A file-system refusal on a path becomes one line naming the path: exit 2, no stack. */
function fileSystemRefusal(error: unknown): UserError | undefined {
  const errno = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof errno.code !== 'string' || !errno.path) return undefined;
  const refusal = REFUSALS[errno.code];
  if (!refusal) return undefined;
  // A temporary file beside its target: the directory is what refused.
  const temporary = /\.tmp$/.test(errno.path);
  const where = temporary ? path.dirname(errno.path) : errno.path;
  const relative = path.relative(process.cwd(), where);
  const shown =
    relative === '' || relative.startsWith('..') || path.isAbsolute(relative)
      ? where
      : relative.split(path.sep).join('/');
  const verb = temporary
    ? 'create a file in'
    : (SYSCALL_VERBS[errno.syscall ?? ''] ?? `${errno.syscall ?? 'use'}`);
  return new UserError(`cannot ${verb} it: ${refusal[0]}`, {
    location: { file: shown },
    fix: refusal[1],
  });
}

function reportError(error: unknown): number {
  if (error instanceof UserErrors) {
    for (const item of error.errors) log.error(formatUserError(item));
    return Math.max(...error.errors.map((item) => item.exitCode));
  }
  if (error instanceof UserError) {
    log.error(formatUserError(error));
    return error.exitCode;
  }
  if (error instanceof InterruptedError) {
    log.error('interrupted');
    return EXIT_INTERRUPTED;
  }
  const denied = fileSystemRefusal(error);
  if (denied) {
    log.error(formatUserError(denied));
    return denied.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(
    `${stack}\n\nonevenv ${packageVersion()} hit an internal error. This is a bug: please report it with the output above.\n`,
  );
  return EXIT_INTERNAL;
}

const optionsWithValue = new Set(['-C', '--cwd']);

function findCommandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (optionsWithValue.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const [head, passthrough] = splitPassthrough(argv);
  const name = findCommandName(head);
  try {
    if (!name) {
      if (head.includes('--version')) {
        process.stdout.write(`${packageVersion()}\n`);
        return EXIT_OK;
      }
      const wantsHelp = head.includes('--help') || head.includes('-h');
      (wantsHelp ? process.stdout : process.stderr).write(`${mainHelp()}\n`);
      return wantsHelp ? EXIT_OK : EXIT_USER_ERROR;
    }
    const entry = findCommand(name);
    if (!entry) {
      throw new UserError(`unknown command '${name}'`, {
        fix: `one of: ${commands.map((c) => c.name).join(', ')}`,
      });
    }
    const rest = [...head];
    rest.splice(rest.indexOf(name), 1);
    const module = await entry.load();
    const { values, positionals } = parseCommandArgs(name, module, rest);
    if (values['no-color']) setColorEnabled(false);
    if (values.quiet) setLogLevel('quiet');
    if (values.verbose) setLogLevel('verbose');
    if (values.help) {
      process.stdout.write(`${commandHelp(module.help)}\n`);
      return EXIT_OK;
    }
    installSignalHandlers();
    const cwd = path.resolve(typeof values.cwd === 'string' ? values.cwd : process.cwd());
    return await module.run({
      cwd,
      values,
      positionals,
      passthrough,
      json: values.json === true,
    });
  } catch (error) {
    return reportError(error);
  }
}
