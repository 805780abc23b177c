import type { Database, Statement } from 'better-sqlite3';
import { translateSqliteError } from './sqlite-errors';

interface Pending<T> {
  work: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
  outcome?: { ok: true; value: T } | { ok: false; error: unknown };
}

export type CommitObserver = (commit: { readonly batchSize: number; readonly durationMs: number }) => void;

/** Called around every group-commit transaction, under the write lock. */
export interface TransactionHooks {
  /** First thing in the transaction. */
  begin?(): void;
  /** Last thing before COMMIT, after every piece of work. */
  beforeCommit?(): void;
  /** After a transaction that did not commit. */
  rolledBack?(): void;
  /** Before each piece of work, and after a piece that failed and was rolled back alone. */
  pieceStarts?(): void;
  pieceUndone?(): void;
}

/**
 * Group commit: every piece of work queued during one event-loop turn runs in one
 * `BEGIN IMMEDIATE` transaction (one fsync), each inside its own savepoint so a failing piece
 * rolls back alone. The flush is scheduled with setImmediate, so work queued on an idle store
 * commits at once, and work that arrives while a commit is in flight waits for the next one.
 * Promises settle only after the commit is durable.
 */
export class GroupCommitter {
  private queue: Pending<any>[] = [];
  private scheduled = false;
  /** Counters for metrics: transactions committed and pieces of work they carried. */
  readonly stats = { commits: 0, work: 0 };
  private readonly observers: CommitObserver[] = [];

  private readonly savepoint: Record<'open' | 'release' | 'undo', Statement>;

  constructor(
    private readonly db: Database,
    private readonly afterCommit: () => void,
    private readonly hooks: TransactionHooks = {},
  ) {
    // Prepared once: better-sqlite3's nested transaction() wrapper costs a new function per piece of work.
    this.savepoint = {
      open: db.prepare('SAVEPOINT piece'),
      release: db.prepare('RELEASE piece'),
      undo: db.prepare('ROLLBACK TO piece'),
    };
  }

  /** Told of every committed transaction: how many writes it carried and how long it took, fsync included. */
  observe(observer: CommitObserver): void {
    this.observers.push(observer);
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs queued work now; used before close so nothing queued is lost. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const started = performance.now();
    try {
      this.db.transaction(() => {
        this.hooks.begin?.();
        batch.forEach((item) => this.runOne(item));
        this.hooks.beforeCommit?.();
      }).immediate();
    } catch (error) {
      this.hooks.rolledBack?.();
      const translated = translateSqliteError(error);
      batch.forEach((item) => item.reject(translated));
      return;
    }
    this.stats.commits += 1;
    this.stats.work += batch.length;
    const commit = { batchSize: batch.length, durationMs: performance.now() - started };
    for (const observe of this.observers) observe(commit);
    for (const item of batch) {
      if (item.outcome?.ok) item.resolve(item.outcome.value);
      else item.reject(item.outcome?.error);
    }
    this.afterCommit();
  }

  private runOne(item: Pending<unknown>): void {
    this.savepoint.open.run();
    this.hooks.pieceStarts?.();
    try {
      item.outcome = { ok: true, value: item.work() };
      this.savepoint.release.run();
    } catch (error) {
      const translated = translateSqliteError(error);
      if (translated !== error) throw translated; // storage faults fail the whole batch
      this.savepoint.undo.run();
      this.savepoint.release.run();
      this.hooks.pieceUndone?.();
      item.outcome = { ok: false, error };
    }
  }
}
