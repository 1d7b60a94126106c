import { dim } from '../../util/colors.js';
import { progressLine } from './format.js';
import type { CheckHooks } from './run.js';

/**
 * Progress on stderr: on a terminal, one line redrawn in place (what runs, how many
 * checks are done); otherwise a plain line per finished check, which logs keep readable.
 */

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress extends CheckHooks {
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    return {
      onFinish(_task, checks) {
        for (const check of checks) stream.write(`${progressLine(check)}\n`);
      },
      stop() {},
    };
  }
  const running = new Map<string, number>();
  let done = 0;
  let failures = 0;
  let frame = 0;
  let drawn = false;
  const draw = () => {
    const labels = [...running.keys()];
    // A pseudo-terminal may report 0 columns.
    const columns = stream.columns && stream.columns > 20 ? stream.columns : 80;
    const head = `${FRAMES[frame % FRAMES.length]} checking: ${done} done${failures > 0 ? `, ${failures} failed` : ''}`;
    let tail = labels.length > 0 ? ` · ${labels.join(', ')}` : '';
    // Never wrap: a wrapped line cannot be redrawn in place.
    const room = columns - 1 - head.length;
    if (tail.length > room) tail = room > 1 ? `${tail.slice(0, room - 1)}…` : '';
    const line = `${head}${dim(tail)}`;
    stream.write(`\r\u001b[K${line}`);
    drawn = true;
  };
  const timer = setInterval(() => {
    frame++;
    draw();
  }, 100);
  timer.unref();
  return {
    onStart(task) {
      running.set(task.label, (running.get(task.label) ?? 0) + 1);
      draw();
    },
    onFinish(task, checks) {
      const left = (running.get(task.label) ?? 1) - 1;
      if (left <= 0) running.delete(task.label);
      else running.set(task.label, left);
      done += checks.length;
      failures += checks.filter((check) => !check.ok).length;
      draw();
    },
    stop() {
      clearInterval(timer);
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}
