import { STORE_PATTERNS } from '@app/microservice-client';
import { AccessAudit, CommitTransaction, DeleteEntry, GetEntry, invalid, ListEntries, PutEntry, RequestMeta } from '@app/store';
import { Controller, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { toPutOp } from '../http/entry.dto';
import { validatePutEntry } from '../http/put-entry.validator';
import { toEntryOps, TransactionDto } from '../http/transaction.dto';
import { validateBody } from '../http/validation';
import { auditedCall } from '../rpc/audited-call';
import { RpcCallers } from '../rpc/callers';
import { RpcProblemFilter } from './rpc-problem.filter';

type Message = Record<string, unknown>;

function message(payload: unknown): Message {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalid('the message is a JSON object');
  return payload as Message;
}

function text(payload: Message, field: string, optional = false): string | undefined {
  const value = payload[field];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} is a string`, { field });
  return value;
}

function count(payload: Message, field: string): number | undefined {
  const value = payload[field];
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw invalid(`${field} is a whole number >= 0`, { field });
  return value as number;
}

/** The fields every message may carry beside its own: who calls, and why. */
const CALLER_FIELDS = ['token', 'correlationId', 'idempotencyKey'] as const;

function withoutCaller(payload: Message, ...fields: string[]): Message {
  const rest = { ...payload };
  for (const field of [...CALLER_FIELDS, ...fields]) delete rest[field];
  return rest;
}

/**
 * For NestJS callers: `hexastore.put`, `.get`, `.list`, `.txn` and `.delete`, through the same
 * command and query handlers as HTTP. A message may carry `token` (the bearer credential, as in
 * `Authorization: Bearer <token>`), `correlationId` and `idempotencyKey`.
 */
@Controller()
@UseFilters(RpcProblemFilter)
export class StoreMessagePatterns {
  constructor(
    private readonly commands: CommandBus, private readonly queries: QueryBus, private readonly callers: RpcCallers,
    private readonly audit: AccessAudit,
  ) {}

  @MessagePattern(STORE_PATTERNS.put)
  put(@Payload() payload: unknown) {
    return this.audited(STORE_PATTERNS.put, payload, async ({ input, meta }) => {
      const op = toPutOp(text(input, 'key')!, validatePutEntry(withoutCaller(input, 'namespace', 'key')));
      return this.commands.execute(new PutEntry(text(input, 'namespace')!, op, meta));
    });
  }

  @MessagePattern(STORE_PATTERNS.get)
  get(@Payload() payload: unknown) {
    return this.audited(STORE_PATTERNS.get, payload, async ({ input, meta }) => {
      return this.queries.execute(new GetEntry(text(input, 'namespace')!, text(input, 'key')!, text(input, 'minPosition', true), meta.caller));
    });
  }

  @MessagePattern(STORE_PATTERNS.list)
  list(@Payload() payload: unknown) {
    return this.audited(STORE_PATTERNS.list, payload, async ({ input, meta }) => {
      return this.queries.execute(new ListEntries(text(input, 'namespace')!, {
        prefix: text(input, 'prefix', true),
        limit: count(input, 'limit'),
        cursor: text(input, 'cursor', true),
      }, text(input, 'minPosition', true), meta.caller));
    });
  }

  @MessagePattern(STORE_PATTERNS.txn)
  txn(@Payload() payload: unknown) {
    return this.audited(STORE_PATTERNS.txn, payload, async ({ input, meta }) => {
      const body = await validateBody(TransactionDto, withoutCaller(input, 'namespace'));
      return this.commands.execute(new CommitTransaction(text(input, 'namespace')!, toEntryOps(body), meta));
    });
  }

  @MessagePattern(STORE_PATTERNS.delete)
  delete(@Payload() payload: unknown) {
    return this.audited(STORE_PATTERNS.delete, payload, async ({ input, meta }) => {
      const op = { op: 'delete' as const, key: text(input, 'key')!, expectedVersion: count(input, 'expectedVersion') };
      return this.commands.execute(new DeleteEntry(text(input, 'namespace')!, op, meta));
    });
  }

  /** Runs one message's handling, recorded in the access audit when it ends. */
  private async audited<T>(pattern: string, payload: unknown, handle: (accepted: { input: Message; meta: RequestMeta }) => Promise<T>): Promise<T> {
    const call = auditedCall(this.audit, `TCP ${pattern}`, payload);
    try {
      const accepted = await this.accept(payload);
      call.actor = accepted.meta.actor;
      const answer = await handle(accepted);
      call.done();
      return answer;
    } catch (error) {
      call.done(error);
      throw error;
    }
  }

  /** The message as an object, and its caller authenticated (before anything is read or written). */
  private async accept(payload: unknown): Promise<{ input: Message; meta: RequestMeta }> {
    const input = message(payload);
    const token = text(input, 'token', true);
    const meta = await this.callers.meta({
      authorization: token === undefined ? undefined : `Bearer ${token}`,
      correlationId: text(input, 'correlationId', true),
      idempotencyKey: text(input, 'idempotencyKey', true),
    });
    return { input, meta };
  }
}
