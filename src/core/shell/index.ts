export {
  classifyVariable,
  INTERPRETER_VARIABLE_NAME,
  type PythonpathFacts,
  pythonpathFacts,
  VENV_VARIABLE_NAME,
} from './classify.js';
export { type EnvironmentRef, repoPath } from './paths.js';
export {
  type ScanShellOptions,
  type ScanShellResult,
  type ShellExports,
  type ShellFinding,
  scanShell,
} from './scan-shell.js';
export { ROOT, UNKNOWN } from './tokenize.js';
