import { namespaceNotFound } from '../../namespace/namespace';
import { Injectable } from '@nestjs/common';
import { EntryView, toEntryView } from '../entries/entries.read-model';
import { EntryRecord, isVisible } from '../entries/entry-record';
import { NamespacesReadModel, NamespaceView } from '../namespaces/namespaces.read-model';
import { invalid } from '../../shared/errors';
import { compareKeys } from '../../shared/names';
import { checkLimit, PageCursors, PageOptions, pageByKey } from '../../shared/page';
import { TimeTravel } from './time-travel';

/** The entries visible at a revision: one page, in key order, and how many there were. */
export interface StatePage {
  revision: number;
  count: number;
  items: EntryView[];
  nextCursor: string | null;
}

/** Reads of past states for the queries: revision checks and visible entries at a revision. */
@Injectable()
export class StatePages {
  constructor(private readonly timeTravel: TimeTravel, private readonly namespaces: NamespacesReadModel, private readonly cursors: PageCursors) {}

  requireNamespace(namespace: string): NamespaceView {
    return this.namespaces.require(namespace);
  }

  /** The head revision of a namespace's stream, deleted or not (its history stays); NAMESPACE_NOT_FOUND without one. */
  requireStream(namespace: string): number {
    const head = this.namespaces.head(namespace);
    if (!head) throw namespaceNotFound(namespace);
    return head.revision;
  }

  /** A revision the namespace's stream has reached: a whole number from 0 to its current revision. */
  checkRevision(namespace: string, revision: number, name = 'asOf'): number {
    const head = this.requireStream(namespace);
    if (!Number.isSafeInteger(revision) || revision < 0 || revision > head) {
      throw invalid(`${name} is a namespace revision from 0 to ${head}`, { [name]: revision, headRevision: head });
    }
    return revision;
  }

  /** The key as a read right after `revision` would have answered it: not deleted, not expired by then. */
  async entry(namespace: string, key: string, revision: number): Promise<EntryView | undefined> {
    const record = await this.timeTravel.entryAt(namespace, key, revision);
    if (!record) return undefined;
    const at = Date.parse(await this.timeTravel.timeOf(namespace, revision));
    return isVisible(record, at) ? toEntryView(namespace, record) : undefined;
  }

  async at(namespace: string, revision: number, page: PageOptions): Promise<StatePage> {
    checkLimit(page.limit);
    const records = await this.timeTravel.stateAt(namespace, revision);
    const at = Date.parse(await this.timeTravel.timeOf(namespace, revision));
    const visible = [...records.values()].filter((r) => isVisible(r, at)).sort(byKey);
    const { items, nextCursor } = pageByKey(visible, page, this.cursors);
    return { revision, count: visible.length, items: items.map((r) => toEntryView(namespace, r)), nextCursor };
  }
}

const byKey = (a: EntryRecord, b: EntryRecord) => compareKeys(a.key, b.key);
