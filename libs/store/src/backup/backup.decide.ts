import { StoreError } from '../shared/errors';
import { STREAM_PREFIX } from '../shared/store-events';
import { ArchiveStreamSummary, VerifiedArchive } from './archive-reader';
import { ExistingStream, Restored, RestoreDecision } from '../events/backup-events';

/**
 * Restore goes only into namespaces the store does not have. The one exception is a repeat: when
 * the store holds every stream of the archive with the archive's own events (same first id, same
 * id at the archive's last revision), the archive was restored already and nothing is done.
 */
export function decideRestore(
  archive: ReadonlyMap<string, ArchiveStreamSummary>,
  existing: ReadonlyMap<string, ExistingStream>,
): RestoreDecision {
  if (existing.size === 0) return 'restore';
  const repeat = existing.size === archive.size && [...archive].every(([stream, summary]) => {
    const held = existing.get(stream);
    return held !== undefined && held.firstId === summary.firstId && held.idAtImportHead === summary.lastId;
  });
  if (repeat) return 'already-restored';
  const namespaces = [...existing.keys()].map((stream) => stream.slice(STREAM_PREFIX.length)).sort();
  throw new StoreError(
    'RESTORE_CONFLICT',
    `the store already has ${namespaces.length === 1 ? 'namespace' : 'namespaces'} ${namespaces.join(', ')} of the archive; restore into a store without them`,
    { namespaces },
  );
}

export function restoredEvent(archive: Omit<VerifiedArchive, 'bytes' | 'streams'>, incarnations: { previous: string; next: string }): Restored {
  return {
    type: 'StoreRestored',
    data: {
      namespaces: archive.header.namespaces,
      eventCount: archive.trailer.eventCount,
      sha256: archive.trailer.sha256,
      archiveCreatedAt: archive.header.createdAt,
      sourceBackend: archive.header.sourceBackend,
      sourceIncarnation: archive.header.incarnation,
      sourceHeadPosition: archive.header.headPosition,
      previousIncarnation: incarnations.previous,
      incarnation: incarnations.next,
    },
  };
}
