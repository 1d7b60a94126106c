import { dim } from '../../util/colors.js';
import { runProcess } from '../../util/exec.js';
import { getLogLevel } from '../../util/log.js';
import type { CommandOutcome } from './facts.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control text
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** The last line worth showing: skips blank lines and bare progress noise. */
export function lastMeaningfulLine(text: string): string {
  const lines = stripAnsi(text)
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^[-=#.*\s]+$/.test(line));
  const errorLine = [...lines].reverse().find((line) => /^(error|fatal|CMake Error)\b/i.test(line));
  const line = errorLine ?? lines.at(-1) ?? '';
  return line.length > 220 ? `${line.slice(0, 217)}...` : line;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * While a step runs: on a terminal, one self-rewriting line (spinner, seconds, the
 * latest output line); with -v, every output line; otherwise nothing until it ends.
 */
function startProgress(label: string) {
  const verbose = getLogLevel() === 'verbose';
  const live = !verbose && getLogLevel() !== 'quiet' && Boolean(process.stderr.isTTY);
  const started = performance.now();
  let latest = '';
  let pending = '';
  let frame = 0;
  const columns = process.stderr.columns || 100;
  const draw = () => {
    const elapsed = Math.floor((performance.now() - started) / 1000);
    const head = `   ${FRAMES[frame++ % FRAMES.length]} ${label} ${elapsed}s `;
    const room = Math.max(0, columns - head.length - 1);
    process.stderr.write(`\r\u001b[K${head}${dim(latest.slice(0, room))}`);
  };
  const timer = live ? setInterval(draw, 120) : undefined;
  return {
    output(chunk: string) {
      const text = pending + stripAnsi(chunk);
      const lines = text.split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        latest = line.trim();
        if (verbose) process.stderr.write(`${dim(`     │ ${line}`)}\n`);
      }
    },
    stop() {
      if (timer) {
        clearInterval(timer);
        process.stderr.write('\r\u001b[K');
      }
      if (verbose && pending.trim() !== '') process.stderr.write(`${dim(`     │ ${pending}`)}\n`);
    },
  };
}

export interface StepRun {
  outcome: CommandOutcome;
  stdout: string;
  stderr: string;
}

export interface StepOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How the command is shown ("python/setup.sh"). */
  shown: string;
  timeoutMs: number;
  /** Where a failure's reason is read: onevenv's stdout is data (JSON, a diff). */
  reasonFrom?: 'stderr' | 'both';
}

export async function runStep(
  command: string,
  args: string[],
  options: StepOptions,
): Promise<StepRun> {
  const progress = startProgress(options.shown);
  const started = performance.now();
  try {
    const result = await runProcess(command, args, {
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.timeoutMs,
      onStdout: progress.output,
      onStderr: progress.output,
    });
    const seconds = (performance.now() - started) / 1000;
    const code = result.timedOut ? null : result.code;
    const lastLine = result.timedOut
      ? `no result after ${Math.round(options.timeoutMs / 1000)}s`
      : lastMeaningfulLine(
          options.reasonFrom === 'stderr' ? result.stderr : `${result.stdout}\n${result.stderr}`,
        );
    return {
      outcome: { command: options.shown, code, seconds, lastLine },
      stdout: stripAnsi(result.stdout),
      stderr: stripAnsi(result.stderr),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const seconds = (performance.now() - started) / 1000;
    return {
      outcome: { command: options.shown, code: 127, seconds, lastLine: `${command}: not found` },
      stdout: '',
      stderr: '',
    };
  } finally {
    progress.stop();
  }
}
