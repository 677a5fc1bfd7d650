/**
 * A one-line progress bar for training from the command line (rewritten in place on a TTY,
 * one line per epoch otherwise so logs stay readable).
 */
import type { TrainingProgress } from './train';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

export function progressLine(p: TrainingProgress, width = 24): string {
  const filled = Math.round((width * p.epoch) / p.epochs);
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  const val = Number.isNaN(p.validationLoss)
    ? ''
    : ` val ${p.validationLoss.toFixed(4)} (best ${p.bestEpoch})`;
  return `[${bar}] epoch ${p.epoch}/${p.epochs} train ${p.trainLoss.toFixed(4)}${val} ETA ${formatDuration(p.etaSeconds)}`;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr): (p: TrainingProgress) => void {
  return (p) => {
    if (stream.isTTY) stream.write(`\r${progressLine(p)}${p.done ? '\n' : ''}`);
    else stream.write(`${progressLine(p)}\n`);
  };
}
