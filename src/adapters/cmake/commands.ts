import type { CMakeArgument, CMakeCommand } from './parse.js';

/**
 * What the commands the cmake adapter reads take as arguments: their keywords, the
 * COMMAND lines of custom commands, targets and tests, and find_package's signature.
 * Keywords are case-sensitive in CMake and only count as unquoted arguments.
 */

const CUSTOM_COMMAND_KEYWORDS = new Set([
  'OUTPUT',
  'COMMAND',
  'MAIN_DEPENDENCY',
  'DEPENDS',
  'BYPRODUCTS',
  'IMPLICIT_DEPENDS',
  'WORKING_DIRECTORY',
  'COMMENT',
  'DEPFILE',
  'JOB_POOL',
  'JOB_SERVER_AWARE',
  'VERBATIM',
  'APPEND',
  'USES_TERMINAL',
  'CODEGEN',
  'COMMAND_EXPAND_LISTS',
  'DEPENDS_EXPLICIT_ONLY',
  'TARGET',
  'PRE_BUILD',
  'PRE_LINK',
  'POST_BUILD',
]);

const CUSTOM_TARGET_KEYWORDS = new Set([
  'ALL',
  'COMMAND',
  'DEPENDS',
  'BYPRODUCTS',
  'WORKING_DIRECTORY',
  'COMMENT',
  'JOB_POOL',
  'JOB_SERVER_AWARE',
  'VERBATIM',
  'USES_TERMINAL',
  'COMMAND_EXPAND_LISTS',
  'SOURCES',
]);

const EXECUTE_PROCESS_KEYWORDS = new Set([
  'COMMAND',
  'WORKING_DIRECTORY',
  'TIMEOUT',
  'RESULT_VARIABLE',
  'RESULTS_VARIABLE',
  'OUTPUT_VARIABLE',
  'ERROR_VARIABLE',
  'INPUT_FILE',
  'OUTPUT_FILE',
  'ERROR_FILE',
  'OUTPUT_QUIET',
  'ERROR_QUIET',
  'COMMAND_ECHO',
  'OUTPUT_STRIP_TRAILING_WHITESPACE',
  'ERROR_STRIP_TRAILING_WHITESPACE',
  'ENCODING',
  'ECHO_OUTPUT_VARIABLE',
  'ECHO_ERROR_VARIABLE',
  'COMMAND_ERROR_IS_FATAL',
]);

const ADD_TEST_KEYWORDS = new Set([
  'NAME',
  'COMMAND',
  'CONFIGURATIONS',
  'WORKING_DIRECTORY',
  'COMMAND_EXPAND_LISTS',
]);

/** The commands that run programs, with when they run. */
export const RUNNING_COMMANDS: Record<string, 'build' | 'configure' | 'test'> = {
  add_custom_command: 'build',
  add_custom_target: 'build',
  execute_process: 'configure',
  add_test: 'test',
};

const KEYWORDS: Record<string, Set<string>> = {
  add_custom_command: CUSTOM_COMMAND_KEYWORDS,
  add_custom_target: CUSTOM_TARGET_KEYWORDS,
  execute_process: EXECUTE_PROCESS_KEYWORDS,
  add_test: ADD_TEST_KEYWORDS,
};

export interface Section {
  /** The keyword that opens it; undefined for the leading arguments. */
  keyword?: CMakeArgument;
  /** 'COMMAND' also for add_custom_target's and add_test's keyword-less first command. */
  name: string;
  args: CMakeArgument[];
}

/** Splits a running command's arguments at its keywords. */
export function sectionsOf(command: CMakeCommand): Section[] {
  const keywords = KEYWORDS[command.id];
  if (!keywords) return [];
  const args = command.arguments.filter((a) => a.kind !== 'paren');
  const sections: Section[] = [];
  let current: Section = { name: '', args: [] };
  let from = 0;
  if (command.id === 'add_custom_target') {
    // add_custom_target(Name [ALL] [command args…] [COMMAND …]…)
    const name = args[0];
    if (name) sections.push({ name: 'NAME', args: [name] });
    from = 1;
    if (isKeyword(args[1], 'ALL')) from = 2;
    current = { name: 'COMMAND', args: [] };
  } else if (command.id === 'add_test' && args[0] && !isKeyword(args[0], 'NAME')) {
    // The old signature: add_test(testname Exename arg1 arg2 …)
    sections.push({ name: 'NAME', args: [args[0]] });
    sections.push({ name: 'COMMAND', args: args.slice(1) });
    return sections;
  }
  for (let i = from; i < args.length; i++) {
    const arg = args[i]!;
    // `COMMAND cmd ARGS a b`: the old spelling of `COMMAND cmd a b`.
    if (command.id === 'add_custom_command' && isKeyword(arg, 'ARGS')) continue;
    if (arg.kind === 'unquoted' && keywords.has(arg.value)) {
      if (current.args.length > 0 || current.keyword) sections.push(current);
      current = { keyword: arg, name: arg.value, args: [] };
      continue;
    }
    current.args.push(arg);
  }
  if (current.args.length > 0 || current.keyword) sections.push(current);
  return sections;
}

function isKeyword(arg: CMakeArgument | undefined, keyword: string): boolean {
  return arg?.kind === 'unquoted' && arg.value === keyword;
}

/** The first section called `name`. */
export function section(sections: Section[], name: string): Section | undefined {
  return sections.find((s) => s.name === name);
}

const FIND_PACKAGE_KEYWORDS = new Set([
  'EXACT',
  'QUIET',
  'MODULE',
  'CONFIG',
  'NO_MODULE',
  'REQUIRED',
  'COMPONENTS',
  'OPTIONAL_COMPONENTS',
  'NO_POLICY_SCOPE',
  'GLOBAL',
  'NAMES',
  'CONFIGS',
  'HINTS',
  'PATHS',
  'PATH_SUFFIXES',
  'REGISTRY_VIEW',
  'BYPASS_PROVIDER',
  'NO_DEFAULT_PATH',
  'NO_PACKAGE_ROOT_PATH',
  'NO_CMAKE_PATH',
  'NO_CMAKE_ENVIRONMENT_PATH',
  'NO_SYSTEM_ENVIRONMENT_PATH',
  'NO_CMAKE_PACKAGE_REGISTRY',
  'NO_CMAKE_BUILDS_PATH',
  'NO_CMAKE_SYSTEM_PATH',
  'NO_CMAKE_INSTALL_PREFIX',
  'NO_CMAKE_SYSTEM_PACKAGE_REGISTRY',
  'CMAKE_FIND_ROOT_PATH_BOTH',
  'ONLY_CMAKE_FIND_ROOT_PATH',
  'NO_CMAKE_FIND_ROOT_PATH',
  'UNWIND_INCLUDE',
]);

export interface FindPackageCall {
  package: string;
  version?: string;
  components: string[];
  optionalComponents: string[];
  required: boolean;
  config: boolean;
}

/** find_package(<Package> [version] [EXACT] [QUIET] [REQUIRED [components…]] [COMPONENTS …] …) */
export function readFindPackage(command: CMakeCommand): FindPackageCall | undefined {
  const args = command.arguments.filter((a) => a.kind !== 'paren');
  const name = args[0];
  if (!name) return undefined;
  const call: FindPackageCall = {
    package: name.value,
    components: [],
    optionalComponents: [],
    required: false,
    config: false,
  };
  let i = 1;
  const version = args[1];
  if (version && /^\d/.test(version.value)) {
    call.version = version.value;
    i = 2;
  }
  let into: string[] | undefined;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    const keyword = arg.kind === 'unquoted' && FIND_PACKAGE_KEYWORDS.has(arg.value);
    if (!keyword) {
      into?.push(...arg.value.split(';').filter((c) => c !== ''));
      continue;
    }
    into = undefined;
    if (arg.value === 'REQUIRED') {
      call.required = true;
      into = call.components;
    } else if (arg.value === 'COMPONENTS') {
      into = call.components;
    } else if (arg.value === 'OPTIONAL_COMPONENTS') {
      into = call.optionalComponents;
    } else if (arg.value === 'CONFIG' || arg.value === 'NO_MODULE') {
      call.config = true;
    }
  }
  return call;
}

/** The values of set(<name> <value>… [CACHE <type> <doc> [FORCE]] | [PARENT_SCOPE]). */
export function setValues(command: CMakeCommand): CMakeArgument[] {
  const values: CMakeArgument[] = [];
  for (const arg of command.arguments.slice(1)) {
    if (arg.kind === 'unquoted' && (arg.value === 'CACHE' || arg.value === 'PARENT_SCOPE')) break;
    if (arg.kind !== 'paren') values.push(arg);
  }
  return values;
}

const FIND_PROGRAM_KEYWORDS = new Set([
  'NAMES',
  'NAMES_PER_DIR',
  'HINTS',
  'PATHS',
  'ENV',
  'REGISTRY_VIEW',
  'PATH_SUFFIXES',
  'VALIDATOR',
  'DOC',
  'NO_CACHE',
  'REQUIRED',
  'OPTIONAL',
  'NO_DEFAULT_PATH',
  'NO_PACKAGE_ROOT_PATH',
  'NO_CMAKE_PATH',
  'NO_CMAKE_ENVIRONMENT_PATH',
  'NO_SYSTEM_ENVIRONMENT_PATH',
  'NO_CMAKE_SYSTEM_PATH',
  'NO_CMAKE_INSTALL_PREFIX',
  'CMAKE_FIND_ROOT_PATH_BOTH',
  'ONLY_CMAKE_FIND_ROOT_PATH',
  'NO_CMAKE_FIND_ROOT_PATH',
]);

/** find_program(<VAR> name | NAMES name1 … [HINTS …] [PATHS …] …): names and search dirs. */
export function readFindProgram(
  command: CMakeCommand,
): { names: CMakeArgument[]; hints: CMakeArgument[] } | undefined {
  const args = command.arguments.filter((a) => a.kind !== 'paren');
  if (args.length < 2) return undefined;
  const names: CMakeArgument[] = [];
  const hints: CMakeArgument[] = [];
  const hasNames = args.some((a) => a.kind === 'unquoted' && a.value === 'NAMES');
  if (!hasNames) {
    // Short form: find_program(<VAR> name [path1 path2 …])
    names.push(args[1]!);
    hints.push(...args.slice(2).filter((a) => !FIND_PROGRAM_KEYWORDS.has(a.value)));
    return { names, hints };
  }
  let into: CMakeArgument[] | undefined;
  for (const arg of args.slice(1)) {
    if (arg.kind === 'unquoted' && FIND_PROGRAM_KEYWORDS.has(arg.value)) {
      into =
        arg.value === 'NAMES'
          ? names
          : arg.value === 'HINTS' || arg.value === 'PATHS'
            ? hints
            : undefined;
      continue;
    }
    into?.push(arg);
  }
  return { names, hints };
}
