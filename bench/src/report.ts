import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Figures {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

export interface Row {
  readonly id: string;
  readonly label: string;
  readonly hexastore: Figures;
  readonly etcd: Figures;
}

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | 'not measured';
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const rpsRatio = (r: Row) => r.hexastore.rps / r.etcd.rps;
export const p99Ratio = (r: Row) => r.hexastore.p99Ms / r.etcd.p99Ms;

/** The side-by-side table, as Markdown (readable in a terminal, pasted as is into the README). */
export function table(rows: readonly Row[]): string {
  const header = ['scenario', 'HexaStore req/s', 'p50 ms', 'p99 ms', 'etcd req/s', 'p50 ms', 'p99 ms', 'req/s ratio', 'p99 ratio'];
  const lines = rows.map((r) => [
    r.label,
    fixed(r.hexastore.rps, 0), fixed(r.hexastore.p50Ms, 2), fixed(r.hexastore.p99Ms, 2),
    fixed(r.etcd.rps, 0), fixed(r.etcd.p50Ms, 2), fixed(r.etcd.p99Ms, 2),
    `${fixed(rpsRatio(r), 2)}×`, `${fixed(p99Ratio(r), 2)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [format(header), rule, ...lines.map(format)].join('\n');
}

export function targetsTable(targets: readonly Target[]): string {
  return targets.map((t) => `- ${t.met === true ? 'met' : t.met === false ? 'MISSED' : 'not measured'}: ${t.name} — target ${t.target}, measured ${t.measured}`).join('\n');
}

/** Flat `<row>_ratio` (req/s), `<row>_p50_ratio` and `<row>_p99_ratio` keys beside the full figures. */
export function ratios(rows: readonly Row[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    out[`${r.id}_ratio`] = round(rpsRatio(r));
    out[`${r.id}_p50_ratio`] = round(r.hexastore.p50Ms / r.etcd.p50Ms);
    out[`${r.id}_p99_ratio`] = round(p99Ratio(r));
  }
  return out;
}

export const round = (n: number, digits = 3) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null as unknown as number);

export function writeResults(dir: string, name: string, results: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
