import type { Entry, EntryPage, EntryWriteResult, Problem, TransactionOp, TransactionResult, WrittenAt } from '@app/client';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { CallerFields, STORE_PATTERNS } from './patterns';

export interface PutMessageOptions extends CallerFields {
  readonly metadata?: Readonly<Record<string, string>>;
  readonly ttlSeconds?: number;
  /** 0: the key must not exist; n: the key must be at version n. */
  readonly expectedVersion?: number;
}

export interface ReadMessageOptions extends CallerFields {
  /** The `position` a write answered: the read waits until this replica has it. */
  readonly minPosition?: string;
}

export interface ListMessageOptions extends ReadMessageOptions {
  readonly prefix?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface DeleteMessageOptions extends CallerFields {
  readonly expectedVersion?: number;
}

export type DeleteMessageResult = WrittenAt & { version: number };

/** A refusal of the store, with its problem document (`code` is the stable part). */
export class StoreMicroserviceError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
  }

  get code(): string {
    return this.problem.code;
  }
}

const isProblem = (error: unknown): error is Problem =>
  typeof error === 'object' && error !== null && typeof (error as Problem).code === 'string' && typeof (error as Problem).status === 'number';

/**
 * HexaStore over a NestJS `ClientProxy` (Transport.TCP): the calls of the HTTP API's entries, typed,
 * answering promises. `defaults` (a token, say) go with every message.
 */
export class HexaStoreMicroserviceClient {
  constructor(private readonly proxy: ClientProxy, private readonly defaults: CallerFields = {}) {}

  put(namespace: string, key: string, value: string | Uint8Array, options: PutMessageOptions = {}): Promise<EntryWriteResult> {
    const body = typeof value === 'string' ? { value } : { valueBase64: Buffer.from(value).toString('base64') };
    return this.send(STORE_PATTERNS.put, { ...options, namespace, key, ...body });
  }

  get(namespace: string, key: string, options: ReadMessageOptions = {}): Promise<Entry> {
    return this.send(STORE_PATTERNS.get, { ...options, namespace, key });
  }

  list(namespace: string, options: ListMessageOptions = {}): Promise<EntryPage> {
    return this.send(STORE_PATTERNS.list, { ...options, namespace });
  }

  txn(namespace: string, ops: readonly TransactionOp[], options: CallerFields = {}): Promise<TransactionResult> {
    return this.send(STORE_PATTERNS.txn, { ...options, namespace, ops });
  }

  delete(namespace: string, key: string, options: DeleteMessageOptions = {}): Promise<DeleteMessageResult> {
    return this.send(STORE_PATTERNS.delete, { ...options, namespace, key });
  }

  private async send<Result>(pattern: string, message: Record<string, unknown>): Promise<Result> {
    try {
      return await firstValueFrom(this.proxy.send<Result>(pattern, { ...this.defaults, ...message }));
    } catch (error) {
      throw isProblem(error) ? new StoreMicroserviceError(error) : error;
    }
  }
}
