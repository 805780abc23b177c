import assert from 'node:assert/strict';
import { StoreError } from '../shared/errors';
import { ArchiveStreamSummary } from './archive-reader';
import { ExistingStream } from '../events/backup-events';
import { decideRestore } from './backup.decide';

const archive = new Map<string, ArchiveStreamSummary>([
  ['store-app', { firstId: 'a0', lastId: 'a4', lastRevision: 4 }],
  ['store-billing', { firstId: 'b0', lastId: 'b1', lastRevision: 1 }],
]);
const held = (entries: [string, ExistingStream][]) => new Map(entries);

describe('decideRestore', () => {
  it('restores when the store has none of the archive\'s streams', () => {
    assert.equal(decideRestore(archive, held([])), 'restore');
  });

  it('is a repeat when every stream holds the archive\'s own events, also with later ones', () => {
    const same = held([
      ['store-app', { firstId: 'a0', idAtImportHead: 'a4' }],
      ['store-billing', { firstId: 'b0', idAtImportHead: 'b1' }],
    ]);
    assert.equal(decideRestore(archive, same), 'already-restored');
  });

  it.each([
    ['one namespace exists, the other not', held([['store-app', { firstId: 'a0', idAtImportHead: 'a4' }]]), ['app']],
    ['a namespace of the same name but other events', held([
      ['store-app', { firstId: 'x0', idAtImportHead: 'x4' }],
      ['store-billing', { firstId: 'b0', idAtImportHead: 'b1' }],
    ]), ['app', 'billing']],
    ['a stream shorter than the archive\'s', held([
      ['store-app', { firstId: 'a0', idAtImportHead: undefined }],
      ['store-billing', { firstId: 'b0', idAtImportHead: 'b1' }],
    ]), ['app', 'billing']],
  ])('conflicts when %s', (_, existing, namespaces) => {
    assert.throws(() => decideRestore(archive, existing), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'RESTORE_CONFLICT');
      assert.deepEqual(error.details, { namespaces });
      return true;
    });
  });
});
