import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {}

/** A local file that cannot be read or written (missing directory, no permission, disk full): exit code 2, one line. */
export class LocalFileError extends UsageError {}

export const STDIN = '-';

export function wholeNumber(name: string, min = 0) {
  return (text: string): number => {
    if (!/^\d{1,15}$/.test(text) || Number(text) < min) throw new InvalidArgumentError(`${name} is a whole number${min > 0 ? ` of at least ${min}` : ''}`);
    return Number(text);
  };
}

/** name=value pairs, collected from a repeated option. */
export function collectPair(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('metadata is given as name=value');
  return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
}

export const collect = (text: string, previous: string[] = []) => [...previous, text];

export function readInput(path: string): Buffer {
  try {
    return readFileSync(path === STDIN ? 0 : path);
  } catch (error) {
    throw new LocalFileError(`cannot read ${path === STDIN ? 'standard input' : path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A file as a stream, opened first so a missing file is a usage error. */
export async function openInput(path: string): Promise<{ stream: AsyncIterable<Buffer>; size?: number }> {
  if (path === STDIN) return { stream: process.stdin };
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) => reject(new LocalFileError(`cannot read ${path}: ${error.code ?? error.message}`)));
  });
  return { stream, size: (await stat(path)).size };
}

export function parseJson(text: Buffer, what: string): unknown {
  try {
    return JSON.parse(text.toString('utf8'));
  } catch (error) {
    throw new UsageError(`${what} is not JSON: ${(error as Error).message}`);
  }
}
