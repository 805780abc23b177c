import { formatPosition, RecordedEvent } from '@app/event-store';
import { Clock } from '../shared/clock';
import { RequestMeta } from '../shared/request-meta';
import { CommandSpec, NamespaceWriter } from './namespace-writer';

export type { CommandSpec };

/** Every namespace command handler's one line: the command's spec, decided at the store's time now. */
export function handleCommand<R>(writer: NamespaceWriter, clock: Clock, meta: RequestMeta, spec: CommandSpec<R>): Promise<R> {
  return writer.write(meta, clock.now(), spec);
}

/** Where a write landed: the revision and position of its last event. */
export function appendedAt(events: readonly Pick<RecordedEvent, 'revision' | 'position'>[]): { revision: number; position: string } {
  const last = events[events.length - 1];
  return { revision: last.revision, position: formatPosition(last.position) };
}
