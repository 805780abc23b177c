import Table from 'cli-table3';

/** Where a command writes: data and --json documents to stdout, everything else to stderr. */
export interface Output {
  readonly json: boolean;
  /** The result: as JSON with --json, else the human form; to stderr when stdout carries data. */
  result(value: unknown, human: () => string, to?: NodeJS.WritableStream): void;
}

export function output(json: boolean): Output {
  return {
    json,
    result: (value, human, to = process.stdout) => to.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`),
  };
}

const plain = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [], border: [] } };

/** Rows under a header line. */
export function table(head: string[], rows: (string | number | null | undefined)[][]): string {
  const t = new Table({ head, ...plain });
  t.push(...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : String(cell)))));
  return t.toString();
}

/** Field / value pairs, one per line. */
export function fields(pairs: [string, unknown][]): string {
  const t = new Table(plain);
  for (const [name, value] of pairs) {
    if (value === undefined) continue;
    t.push({ [name]: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  return t.toString();
}

/** A value for a table cell: long text shortened, bytes as base64 marked. */
export function cellValue(entry: { value?: string; valueBase64?: string }, max = 40): string {
  const text = entry.value !== undefined ? JSON.stringify(entry.value) : `base64:${entry.valueBase64}`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Entries as `ls` shows them. */
export const entryTable = (items: readonly { key: string; version: number; value?: string; valueBase64?: string; updatedAt: string }[]) =>
  table(['key', 'version', 'value', 'updated'], items.map((e) => [e.key, e.version, cellValue(e), e.updatedAt]));
