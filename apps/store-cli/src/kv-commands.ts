import { TransactionOp } from '@app/client';
import { Command } from 'commander';
import { CommandEnv } from './command-env';
import { cellValue, entryTable, fields, table } from './output';
import { collectPair, parseJson, readInput, UsageError, wholeNumber } from './inputs';
import { FENCING_TOKEN_OPTION, LOCK_TOKEN_OPTION } from './lock-commands';

/** put, get, del, ls, txn: the entry calls of the API, through the client. */
export function addEntryCommands(program: Command, env: () => CommandEnv): void {
  program
    .command('put')
    .description('put an entry: the value as an argument, or from a file (--file, "-" for stdin) as bytes')
    .argument('<namespace>')
    .argument('<key>')
    .argument('[value]', 'the value as text')
    .option('-f, --file <path>', 'read the value from a file ("-" = stdin)')
    .option('-m, --metadata <name=value>', 'a metadata pair (repeatable)', collectPair)
    .option('--ttl <seconds>', 'expire after this many seconds', wholeNumber('--ttl', 1))
    .option('--expected-version <n>', 'compare-and-set: 0 = must not exist, n = must be at version n', wholeNumber('--expected-version'))
    .option('--idempotency-key <key>', 'a retry with the same key is applied once')
    .option(...LOCK_TOKEN_OPTION)
    .option(...FENCING_TOKEN_OPTION)
    .action(async (namespace: string, key: string, text: string | undefined, o) => {
      if ((text === undefined) === (o.file === undefined)) throw new UsageError('give the value either as an argument or with --file');
      const value = text ?? readInput(o.file);
      const { client, out } = env();
      const result = await client.put(namespace, key, value, {
        metadata: o.metadata, ttlSeconds: o.ttl, expectedVersion: o.expectedVersion, idempotencyKey: o.idempotencyKey,
        lockToken: o.lockToken, fencingToken: o.fencingToken,
      });
      out.result(result, () => `${result.created ? 'created' : 'updated'} ${namespace}/${key}: version ${result.version}, revision ${result.revision}, position ${result.position}`);
    });

  program
    .command('get')
    .description('get an entry')
    .argument('<namespace>')
    .argument('<key>')
    .option('--raw', 'print only the value bytes')
    .option('--as-of <revision>', 'the entry as it was right after this namespace revision (time travel)', wholeNumber('--as-of'))
    .action(async (namespace: string, key: string, o) => {
      const { client, out } = env();
      const entry = o.asOf === undefined ? await client.get(namespace, key) : await client.getAsOf(namespace, key, o.asOf);
      if (o.raw) {
        process.stdout.write(entry.value !== undefined ? entry.value : Buffer.from(entry.valueBase64!, 'base64'));
        return;
      }
      out.result(entry, () => fields([
        ['namespace', entry.namespace], ['key', entry.key],
        entry.value !== undefined ? ['value', entry.value] : ['valueBase64', entry.valueBase64],
        ['metadata', entry.metadata], ['version', entry.version], ['modRevision', entry.modRevision],
        ['createdAt', entry.createdAt], ['updatedAt', entry.updatedAt], ['expiresAt', entry.expiresAt ?? '-'],
        ['asOf', 'asOf' in entry ? entry.asOf : undefined],
      ]));
    });

  program
    .command('del')
    .description('delete an entry')
    .argument('<namespace>')
    .argument('<key>')
    .option('--expected-version <n>', 'delete only at this version', wholeNumber('--expected-version'))
    .option('--purge', 'delete for good: not restorable')
    .option('--idempotency-key <key>', 'a retry with the same key is applied once')
    .option(...LOCK_TOKEN_OPTION)
    .option(...FENCING_TOKEN_OPTION)
    .action(async (namespace: string, key: string, o) => {
      const { client, out } = env();
      await client.delete(namespace, key, {
        expectedVersion: o.expectedVersion, purge: o.purge === true, idempotencyKey: o.idempotencyKey, lockToken: o.lockToken, fencingToken: o.fencingToken,
      });
      // The API answers 204 without a body: --json prints what was done.
      out.result({ deleted: true, purged: o.purge === true, namespace, key }, () => `${o.purge ? 'deleted and purged' : 'deleted'} ${namespace}/${key}`);
    });

  program
    .command('ls')
    .description('list namespaces, or the entries of one namespace in key order')
    .argument('[namespace]')
    .option('-p, --prefix <prefix>', 'only keys starting with this')
    .option('-l, --limit <n>', 'at most this many entries (1-1000, default 100)', wholeNumber('--limit', 1))
    .option('--cursor <cursor>', 'continue after the page that gave this cursor')
    .option('--include-deleted', 'also deleted entries that can still be restored (with deletedAt and restorable)')
    .option('--tag <tag>', 'only the namespaces with this tag')
    .action(async (namespace: string | undefined, o) => {
      if (o.includeDeleted && namespace === undefined) throw new UsageError('--include-deleted lists the entries of a namespace: give one');
      if (o.tag !== undefined && namespace !== undefined) throw new UsageError('--tag filters the list of namespaces: give no namespace');
      const { client, out } = env();
      if (namespace === undefined) {
        const namespaces = await client.listNamespaces({ tag: o.tag });
        out.result(namespaces, () => table(['namespace', 'entries', 'bytes', 'revision', 'updated'],
          namespaces.map((n) => [n.name, n.entryCount, n.bytes, n.revision, n.updatedAt])));
        return;
      }
      const page = await client.listPage(namespace, { prefix: o.prefix, limit: o.limit, cursor: o.cursor, includeDeleted: o.includeDeleted === true || undefined });
      out.result(page, () => {
        const rows = o.includeDeleted
          ? table(['key', 'version', 'value', 'updated', 'deleted', 'restorable'], page.items.map((e) => [
            e.key, e.version, cellValue(e), e.updatedAt, e.deletedAt ?? '', e.deletedAt ? String(e.restorable) : '']))
          : entryTable(page.items);
        return page.nextCursor ? `${rows}\nmore: --cursor ${page.nextCursor}` : rows;
      });
    });

  program
    .command('txn')
    .description('commit a transaction: ops from a JSON file ({"ops": [...]} or [...]; "-" for stdin), all or nothing')
    .argument('<namespace>')
    .argument('<file>')
    .option('--idempotency-key <key>', 'a retry with the same key is applied once')
    .option(...LOCK_TOKEN_OPTION)
    .option(...FENCING_TOKEN_OPTION)
    .action(async (namespace: string, file: string, o) => {
      const parsed = parseJson(readInput(file), file);
      const ops = Array.isArray(parsed) ? parsed : (parsed as { ops?: unknown })?.ops;
      if (!Array.isArray(ops)) throw new UsageError(`${file} holds no ops: give {"ops": [...]} or [...]`);
      const { client, out } = env();
      const result = await client.transaction(namespace, ops as TransactionOp[], {
        idempotencyKey: o.idempotencyKey, lockToken: o.lockToken, fencingToken: o.fencingToken,
      });
      out.result(result, () => `${table(['op', 'key', 'version'], result.results.map((r) => [r.op, r.key, r.version]))}\nrevision ${result.revision}, position ${result.position}`);
    });
}
