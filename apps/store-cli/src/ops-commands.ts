import { HistoryItem, RollbackPoint, Snapshot, StatePage, StoreClient } from '@app/client';
import { Command, InvalidArgumentError } from 'commander';
import { CommandEnv } from './command-env';
import { wholeNumber } from './inputs';
import { cellValue, entryTable, fields, table } from './output';

/** reload, ttl, history, rollback points and rollback, snapshots: the store's operations, through the client. */
export function addOpsCommands(program: Command, env: () => CommandEnv): void {
  program
    .command('reload')
    .description("re-read the service's config file (STORE_CONFIG) and apply what changed")
    .action(async () => {
      const { client, out } = env();
      const result = await client.reload();
      out.result(result, () => result.unchanged
        ? `config unchanged (sha256 ${result.sha256.slice(0, 12)})`
        : `${table(['namespace', 'change', 'defaultTtlSeconds', 'now'], result.changes.map((c) => [c.namespace, c.change, c.defaultTtlSeconds ?? '-', changedTo(c)]))}\nreloaded the config (sha256 ${result.sha256.slice(0, 12)})`);
    });

  program
    .command('ttl')
    .description('give an entry a new expiry, counted from now, or none')
    .argument('<namespace>')
    .argument('<key>')
    .argument('<seconds>', 'whole seconds from now, or "none" to clear the expiry', ttlSeconds)
    .option('--expected-version <n>', 'only at this version', wholeNumber('--expected-version'))
    .action(async (namespace: string, key: string, seconds: number | null, o: { expectedVersion?: number }) => {
      const { client, out } = env();
      const entry = await client.setTtl(namespace, key, seconds, { expectedVersion: o.expectedVersion });
      out.result(entry, () => entry.expiresAt === null
        ? `${namespace}/${key} no longer expires (version ${entry.version})`
        : `${namespace}/${key} expires at ${entry.expiresAt} (version ${entry.version})`);
    });

  program
    .command('history')
    .description('every change of a key, oldest first')
    .argument('<namespace>')
    .argument('<key>')
    .action(async (namespace: string, key: string) => {
      const { client, out } = env();
      const items: HistoryItem[] = [];
      for await (const item of client.history(namespace, key, { limit: 1000 })) items.push(item);
      // --json: the API's page shape, holding every page.
      out.result({ items, nextCursor: null }, () => table(['revision', 'event', 'version', 'value', 'expiresAt', 'actor', 'timestamp'],
        items.map((h) => [h.revision, h.type, h.version, h.redacted ? `(${h.redacted})` : h.value === undefined && h.valueBase64 === undefined ? '' : cellValue(h), h.expiresAt ?? '', h.actor, h.timestamp])));
    });

  program
    .command('rollback-point')
    .description("record a rollback point at the namespace's current revision")
    .argument('<namespace>')
    .option('--label <text>', 'what the point is')
    .option('--stage <name>', 'the stage it belongs to (pre-deploy, …)')
    .action(async (namespace: string, o: { label?: string; stage?: string }) => {
      const { client, out } = env();
      const point = await client.createRollbackPoint(namespace, { label: o.label, stage: o.stage });
      out.result(point, () => `rollback point ${point.id} of ${namespace} at revision ${point.revision}`);
    });

  addListing<RollbackPoint>(program, env, {
    command: 'rollback-points',
    description: "list a namespace's rollback points, or show one with the entries at it",
    columns: ['id', 'revision', 'stage', 'label', 'createdAt', 'actor'],
    row: (p) => [p.id, p.revision, p.stage, p.label, p.createdAt, p.actor],
    list: (client, namespace) => client.listRollbackPoints(namespace),
    show: (client, namespace, id, page) => client.getRollbackPoint(namespace, id, page),
  });

  program
    .command('rollback')
    .description("bring a namespace back to a rollback point's state, by compensating events")
    .argument('<namespace>')
    .argument('<point-id>')
    .action(async (namespace: string, pointId: string) => {
      const { client, out } = env();
      const result = await client.rollback(namespace, pointId);
      const keys = (list: string[]) => (list.length === 0 ? '-' : list.join(', '));
      out.result(result, () => `${fields([['restored', keys(result.diff.restored)], ['changed', keys(result.diff.changed)], ['removed', keys(result.diff.removed)]])}\n`
        + `rolled ${namespace} back to revision ${result.toRevision}; now at revision ${result.revision}. Undo: hexastore rollback ${namespace} ${result.undoPointId}`);
    });

  program
    .command('snapshot')
    .description('take a snapshot of a namespace at its current revision')
    .argument('<namespace>')
    .action(async (namespace: string) => {
      const { client, out } = env();
      const snapshot = await client.createSnapshot(namespace);
      out.result(snapshot, () => `snapshot ${snapshot.id} of ${namespace} at revision ${snapshot.revision}: ${entries(snapshot.entryCount)}`);
    });

  addListing<Snapshot>(program, env, {
    command: 'snapshots',
    description: "list a namespace's snapshots, or show one with the entries it captured",
    columns: ['id', 'revision', 'entries', 'createdAt', 'actor'],
    row: (s) => [s.id, s.revision, s.entryCount, s.createdAt, s.actor],
    list: (client, namespace) => client.listSnapshots(namespace),
    show: (client, namespace, id, page) => client.getSnapshot(namespace, id, page),
  });
}

type Cell = string | number | null;

interface Listing<T> {
  readonly command: string;
  readonly description: string;
  readonly columns: string[];
  row(item: T): Cell[];
  list(client: StoreClient, namespace: string): Promise<T[]>;
  show(client: StoreClient, namespace: string, id: string, page: { limit?: number; cursor?: string }): Promise<T & { entries: StatePage }>;
}

/** `<command> NS` lists a namespace's points or snapshots; `<command> NS ID` shows one and a page of the entries at it. */
function addListing<T>(program: Command, env: () => CommandEnv, spec: Listing<T>): void {
  program
    .command(spec.command)
    .description(spec.description)
    .argument('<namespace>')
    .argument('[id]')
    .option('-l, --limit <n>', 'entries per page (1-1000, default 100)', wholeNumber('--limit', 1))
    .option('--cursor <cursor>', 'continue after the page that gave this cursor')
    .action(async (namespace: string, id: string | undefined, page: { limit?: number; cursor?: string }) => {
      const { client, out } = env();
      if (id === undefined) {
        const items = await spec.list(client, namespace);
        out.result({ items }, () => table(spec.columns, items.map(spec.row)));
        return;
      }
      const item = await spec.show(client, namespace, id, page);
      const row = spec.row(item);
      out.result(item, () => `${fields(spec.columns.map((column, i) => [column, row[i] ?? '-']))}\n${statePage(item.entries)}`);
    });
}

function ttlSeconds(text: string): number | null {
  if (text === 'none') return null;
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('give whole seconds of at least 1, or "none"');
  return Number(text);
}

/** The entries of a past state, as `ls` shows a page. */
function statePage(page: StatePage): string {
  return `${entryTable(page.items)}\n${entries(page.count)} at revision ${page.revision}${page.nextCursor ? `; more: --cursor ${page.nextCursor}` : ''}`;
}

const entries = (count: number) => `${count} ${count === 1 ? 'entry' : 'entries'}`;

/** What a quota, tags or dependencies change of a reload set. */
function changedTo(c: {
  change: string; maxEntries?: number | null; maxBytes?: number | null; tags?: Record<string, string>; dependsOn?: string[]; grants?: Record<string, string>;
}): string {
  if (c.change === 'quota') return `maxEntries ${c.maxEntries ?? '-'}, maxBytes ${c.maxBytes ?? '-'}`;
  if (c.change === 'tags') return Object.entries(c.tags ?? {}).map(([t, color]) => `${t} ${color}`).join(', ') || '-';
  if (c.change === 'dependencies') return (c.dependsOn ?? []).join(', ') || '-';
  if (c.change === 'grants') return Object.entries(c.grants ?? {}).map(([subject, access]) => `${subject} ${access}`).join(', ') || '-';
  return '';
}
