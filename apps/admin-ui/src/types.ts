/** The shapes of the store's answers the page reads (see /docs for the whole contract). */
export interface Namespace {
  name: string;
  entryCount: number;
  bytes: number;
  revision: number;
  quota?: { maxEntries: number | null; maxBytes: number | null; usedEntries: number; usedBytes: number } | null;
  tags?: Record<string, string>;
  updatedAt: string;
}

export interface Entry {
  key: string;
  value?: string;
  valueBase64?: string;
  version: number;
  updatedAt: string;
  asOf?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface HistoryItem {
  revision: number;
  position: string;
  type: string;
  version?: number;
  actor: string;
  timestamp: string;
  value?: string;
  valueBase64?: string;
}

export interface RollbackPoint {
  id: string;
  label: string | null;
  stage: string | null;
  revision: number;
  createdAt: string;
  actor: string;
}

export interface RollbackResult {
  pointId: string;
  toRevision: number;
  undoPointId: string;
  diff: { restored: string[]; changed: string[]; removed: string[] };
  revision: number;
}

export interface Snapshot {
  id: string;
  revision: number;
  entryCount: number;
  createdAt: string;
  actor: string;
}

export interface AuditItem {
  position: string;
  revision: number;
  type: string;
  key?: string | null;
  actor: string;
  correlationId?: string;
  timestamp: string;
}

export interface FeedEvent {
  type: string;
  namespace: string;
  key?: string;
  position: string;
  timestamp: string;
  actor?: string;
}

export interface WhoAmI {
  user: string;
  roles: string[];
}

/** What the page shows of a value: the text, or that it is bytes. */
export const valueText = (item: { value?: string; valueBase64?: string }) =>
  item.value !== undefined ? item.value : item.valueBase64 !== undefined ? `(binary, base64) ${item.valueBase64}` : '(no value)';
