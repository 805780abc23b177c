// Shared by the reliability suites: run counts from the environment, a seeded random source, and
// stopping a child service by its PID.
import { ChildProcess } from 'node:child_process';

/**
 * A run count: the default keeps `npm test` short on a 2-core machine; `RELIABILITY_SCALE=10`
 * (or a per-suite variable) runs longer locally.
 */
export function runs(name: string, fallback: number): number {
  const given = Number(process.env[name]);
  const scale = Number(process.env.RELIABILITY_SCALE ?? 1);
  const base = Number.isInteger(given) && given > 0 ? given : fallback;
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** The seed of a suite's random choices: RELIABILITY_SEED to replay a failure, else a fresh one (printed on failure). */
export const seedOf = (): number => {
  const given = Number(process.env.RELIABILITY_SEED);
  return Number.isInteger(given) ? given : Math.floor(Math.random() * 2 ** 31);
};

/** mulberry32: a small seeded PRNG, answering numbers in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Kills a child this suite started (by its PID, through its handle) and waits until it is gone. */
export async function killChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Waits until a child exits on its own (a failpoint), at most `ms`; answers its exit signal. */
export async function exitOf(child: ChildProcess, ms = 20_000): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.signalCode ?? child.exitCode;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not exit within ${ms} ms`)), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? code);
    });
  });
}
