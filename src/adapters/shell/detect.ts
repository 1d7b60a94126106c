import { scanShell } from '../../core/shell/index.js';
import { LineIndex, makeReference } from '../reference.js';
import type { DetectContext, DetectResult, Reference } from '../types.js';

const SHELL_EXTENSION = /\.(?:sh|bash)$/;
/** `#!/bin/sh`, `#!/usr/bin/env bash`, `#!/usr/bin/env -S bash -e`, `#! /bin/zsh`. */
const SHELL_SHEBANG =
  /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?(?:\S*\/)?(?:sh|bash|dash|zsh|ksh|ash)(?:\s|$)/;

/** Shell scripts: `*.sh`, `*.bash`, `.envrc`, and extensionless files with a POSIX-shell shebang. */
export function isShellScript(file: string, firstLine: string): boolean {
  if (SHELL_EXTENSION.test(file)) return true;
  const name = file.slice(file.lastIndexOf('/') + 1);
  // direnv's file: shell that often activates a venv on entering the directory.
  if (name === '.envrc') return true;
  if (name.includes('.')) return false;
  return SHELL_SHEBANG.test(firstLine.replace(/^\uFEFF/, ''));
}

function directoryOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash === -1 ? '' : file.slice(0, slash);
}

/**
 * References in one shell script. Relative paths are read against the script's own
 * directory until the script changes directory itself: scripts in these repositories are
 * written to be run from where they live, or `cd "$(dirname "$0")"` first.
 */
export function detectShellReferences(
  content: string,
  file: string,
  _context: DetectContext,
): DetectResult | null {
  const { findings } = scanShell(content, { cwd: directoryOf(file), script: file });
  if (findings.length === 0) return null;
  const lines = new LineIndex(content);
  const consumer = `script ${file}`;
  const references: Reference[] = findings.map((finding) =>
    makeReference(content, lines, file, finding.start, finding.end, {
      kind: finding.kind,
      adapter: 'shell',
      consumer,
      environment: finding.environment,
      ...(finding.skipReason === undefined ? {} : { skipReason: finding.skipReason }),
      ...(finding.meta === undefined ? {} : { meta: finding.meta }),
    }),
  );
  return { references };
}
