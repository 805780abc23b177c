import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callJson } from './http';
import { stop } from './processes';
import { Figures } from './report';
import { NAMESPACE, startHexaStore } from './systems';
import { runWrk } from './wrk';

const SEALED = 'bench-sealed';

/**
 * Durable puts at c=64 into an encrypted namespace against a plain one, in one service with a master
 * key, alternating the two runs: what sealing each value (AES-256-GCM) costs on the write path.
 */
export async function encryptedVsPlain(work: string, wrk: string, seconds: number, rounds: number) {
  const masterKeyFile = join(work, 'master.key');
  writeFileSync(masterKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const service = await startHexaStore(join(work, 'sealed-data'), work, 'hexastore-sealed', { masterKeyFile });
  try {
    const { status } = await callJson(service.port, 'PUT', `/v1/namespaces/${SEALED}`, { encrypted: true });
    if (status !== 201) throw new Error(`creating the encrypted namespace answered ${status}`);
    await runWrk(wrk, service, 'put', 16, 1, 1000, SEALED);
    const runs: Record<'plain' | 'encrypted', Figures[]> = { plain: [], encrypted: [] };
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? (['plain', 'encrypted'] as const) : (['encrypted', 'plain'] as const);
      for (const kind of order) {
        const m = await runWrk(wrk, service, 'put', 64, seconds, 10_000, kind === 'plain' ? NAMESPACE : SEALED);
        runs[kind].push({ rps: m.rps, p50Ms: m.p50Ms, p99Ms: m.p99Ms, errors: m.errors });
      }
    }
    const best = (figures: Figures[]) => figures.reduce((a, b) => (b.rps > a.rps ? b : a));
    const plain = best(runs.plain);
    const encrypted = best(runs.encrypted);
    return { plain, encrypted, ratio: encrypted.rps / plain.rps, rounds };
  } finally {
    await stop(service.process);
  }
}
