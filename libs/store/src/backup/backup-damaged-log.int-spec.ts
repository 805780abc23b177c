import { SqliteEventStore } from '@app/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEntry } from '../commands/entry.commands';
import { SqliteStoreBackend } from '../runtime/sqlite-store-backend';
import { DEFAULT_LIMITS } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { createStoreContext, StoreContext } from '../store.context';
import { BackupStore } from './backup.commands';

const meta: RequestMeta = { actor: 'operator', correlationId: 'corr', causationId: 'req' };
const put = (key: string, value: string) => new PutEntry('app', { op: 'put', key, value: Buffer.from(value) }, meta);

describe('BackupStore on a damaged log', () => {
  let dir: string;
  let store: StoreContext;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hexastore-backup-damaged-'));
    store = await createStoreContext({ openBackend: () => new SqliteStoreBackend(dir), limits: DEFAULT_LIMITS });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an event that no longer matches its checksum is not carried into the archive: the backup fails with LOG_CORRUPTED naming it', async () => {
    await store.commands.execute(put('a', 'first'));
    await store.commands.execute(put('b', 'second'));
    const db = (store.backend.eventStore as SqliteEventStore).db;
    const [damaged] = db.prepare("SELECT id, position FROM events WHERE data LIKE '%\"key\":\"b\"%'").all() as { id: string; position: number }[];
    // One changed byte in the stored event, as a failing disk would leave it.
    db.prepare("UPDATE events SET data = replace(data, '\"key\":\"b\"', '\"key\":\"c\"') WHERE id = ?").run(damaged.id);

    const { stream } = await store.commands.execute(new BackupStore(meta));
    const chunks: Buffer[] = [];
    const consumed = (async () => {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    })();
    await expect(consumed).rejects.toMatchObject({ code: 'LOG_CORRUPTED', details: { eventId: damaged.id } });
    await expect(consumed).rejects.toThrow(`cannot back up: event ${damaged.id} (stream store-app, revision 2, position ${damaged.position})`);
  });
});
