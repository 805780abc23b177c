import { SingleBar } from 'cli-progress';

export interface Progress {
  update(value: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, setTotal: () => undefined, stop: () => undefined };

export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A progress bar on stderr (stdout stays clean for data and --json). With a total it shows a bar,
 * without one a running count. `enabled` false gives a bar that draws nothing.
 */
export function progressBar(enabled: boolean, label: string, unit: 'bytes' | 'events', total?: number): Progress {
  if (!enabled) return NONE;
  const show = (n: number) => (unit === 'bytes' ? humanBytes(n) : `${n} events`);
  let known = total;
  const bar = new SingleBar({
    stream: process.stderr,
    noTTYOutput: !process.stderr.isTTY,
    notTTYSchedule: 1000,
    hideCursor: null,
    format: (options, params) => {
      const done = show(params.value);
      if (known === undefined) return `${label} ${done} | ${Math.round((Date.now() - params.startTime) / 1000)}s`;
      const width = options.barsize ?? 30;
      const filled = Math.round(Math.min(1, params.progress) * width);
      const percent = Math.floor(Math.min(1, params.progress) * 100);
      return `${label} [${'='.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}% | ${done} of ${show(known)}`;
    },
    barsize: 30,
  });
  bar.start(total ?? 0, 0);
  return {
    update: (value) => bar.update(value),
    setTotal: (value) => {
      known = value;
      bar.setTotal(value);
    },
    stop: () => bar.stop(),
  };
}
