/** A one-line progress bar for long CLI commands, on stderr and only when it is a terminal. */

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

/** `label  [██████░░░░░░]  45%  270/599`, fitted to `width` characters. */
export function renderBar(label: string, done: number, total: number, width = 80): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  const count = `${done}/${total}`;
  const head = label.padEnd(20);
  const barWidth = Math.max(10, width - head.length - pct.length - count.length - 6);
  const filled = Math.round(fraction * barWidth);
  return `${head} [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${pct}  ${count}`;
}

export interface Progress {
  update(label: string, done: number, total: number): void;
  /** Ends the bar's line (the next output starts on a fresh line). */
  finish(): void;
}

/**
 * Redraws in place with `\r`, at most every `intervalMs` and always at a phase's start and end.
 * On a stream that is not a terminal (a pipe, a file, CI) it prints nothing.
 */
export function createProgress(stream: ProgressStream = process.stderr, intervalMs = 80): Progress {
  const enabled = Boolean(stream.isTTY);
  let label = '';
  let last = 0;
  let open = false;
  return {
    update(next, done, total) {
      if (!enabled) return;
      const now = Date.now();
      const newPhase = next !== label;
      if (newPhase && open) stream.write('\n');
      if (!newPhase && done < total && now - last < intervalMs) return;
      label = next;
      last = now;
      open = true;
      const width = Math.min(100, (stream.columns || 80) - 1);
      stream.write(`\r${renderBar(next, done, total, width)}`);
    },
    finish() {
      if (enabled && open) stream.write('\n');
      open = false;
      label = '';
    },
  };
}
