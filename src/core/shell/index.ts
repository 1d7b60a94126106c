export { type EnvironmentRef, repoPath } from './paths.js';
export {
  type ScanShellOptions,
  type ScanShellResult,
  type ShellFinding,
  scanShell,
} from './scan-shell.js';
