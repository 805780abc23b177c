import {
  CommitTransaction, DeleteEntry, EntryExists, GetEntry, GetEntryAsOf, GetEntryHistory, ListEntries, PurgeEntry, PutEntry,
  RequestMeta, RestoreEntry, SetTtl,
} from '@app/store';
import { Body, Controller, Delete, Get, Head, HttpCode, NotFoundException, Param, Post, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBody, ApiCreatedResponse, ApiExcludeEndpoint, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PutEntryDto, SetTtlDto, toPutOp } from './entry.dto';
import { Entry, EntryPath } from './entry-path';
import { flag, pageOptions, QueryParam, single, wholeNumber } from './query-params';
import { ApiProblems, ApiWrite, KEY_PARAMETER, PROBLEMS } from './openapi';
import { ApiMinPosition, Meta, MinPosition } from './request-meta.decorator';
import {
  EntryPageDto, EntryReadDto, EntryWriteResultDto, HistoryPageDto, KeyWriteResultDto, PurgeResultDto, TransactionResultDto,
} from './responses.dto';
import { toEntryOps, TransactionDto } from './transaction.dto';
import { validatePutEntry } from './put-entry.validator';
import { validateBody } from './validation';

/** Keys may hold `/`: the rest of the path after `entries/` is the key (see entry-path.ts for sub-resources). */
const ENTRY = ':ns/entries/*';
/**
 * The wildcard's parameter; the document names it `key` and gives each sub-resource
 * (`…/{key}/history`, `ttl`, `restore`, `purge`) its own operation (openapi.ts).
 */
const keyParam = ApiParam({ ...KEY_PARAMETER, name: '*', in: 'path' } as Parameters<typeof ApiParam>[0]);
const ENTRY_PROBLEMS = ['NAMESPACE_INVALID', 'KEY_INVALID', 'ENTRY_NOT_FOUND'] as const;

@ApiTags('entries')
@ApiExtraModels(PutEntryDto, SetTtlDto, HistoryPageDto, KeyWriteResultDto, PurgeResultDto)
@Controller('v1/namespaces')
export class EntriesController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Get(':ns/entries')
  @ApiOperation({ summary: 'ListEntries in key order: {items, nextCursor}; includeDeleted=true adds deleted entries with deletedAt and restorable' })
  @ApiQuery({ name: 'prefix', required: false, type: String, description: 'only keys that start with it' })
  @ApiQuery({ name: 'limit', required: false, type: 'integer', minimum: 1, maximum: 1000, description: 'default 100, max 1000' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'the nextCursor of the previous page' })
  @ApiQuery({ name: 'includeDeleted', required: false, type: Boolean, description: 'true: deleted entries too, with deletedAt and restorable (default false)' })
  @ApiMinPosition()
  @ApiOkResponse({ type: EntryPageDto, description: 'One page of entries in key order' })
  @ApiProblems(...PROBLEMS.readYourWrites, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  list(
    @Param('ns') ns: string,
    @MinPosition() minPosition: string | undefined,
    @QueryParam('prefix') prefix?: string,
    @QueryParam('limit') limit?: string,
    @QueryParam('cursor') cursor?: string,
    @QueryParam('includeDeleted') includeDeleted?: string,
  ) {
    return this.queries.execute(new ListEntries(ns, {
      prefix: single(prefix), ...pageOptions(limit, cursor), includeDeleted: flag(includeDeleted, 'includeDeleted'),
    }, minPosition));
  }

  @Get(ENTRY)
  @keyParam
  @ApiOperation({
    summary: 'GetEntry; 404 ENTRY_NOT_FOUND (also when expired or deleted). ?asOf=<revision>: the entry at that namespace revision',
  })
  @ApiQuery({ name: 'asOf', required: false, type: 'integer', minimum: 0, description: 'a namespace revision from 0 to the current one' })
  @ApiMinPosition()
  @ApiOkResponse({ type: EntryReadDto, description: 'The entry (with asOf when asked at a revision)' })
  @ApiProblems(...PROBLEMS.readYourWrites, ...ENTRY_PROBLEMS, 'NAMESPACE_NOT_FOUND')
  get(
    @Param('ns') ns: string,
    @Entry(['history']) path: EntryPath,
    @MinPosition() minPosition: string | undefined,
    @QueryParam('asOf') asOf?: string,
    @QueryParam('limit') limit?: string,
    @QueryParam('cursor') cursor?: string,
  ) {
    if (path.sub === 'history') return this.queries.execute(new GetEntryHistory(ns, path.key, pageOptions(limit, cursor)));
    const revision = wholeNumber(asOf, 'asOf');
    return this.queries.execute(revision === undefined ? new GetEntry(ns, path.key, minPosition) : new GetEntryAsOf(ns, path.key, revision));
  }

  @Head(ENTRY)
  @keyParam
  @ApiOperation({ summary: 'EntryExists: 200 or 404, no body' })
  @ApiMinPosition()
  @ApiOkResponse({ description: 'The entry exists (no body)' })
  @ApiProblems(...PROBLEMS.readYourWrites, ...ENTRY_PROBLEMS)
  async exists(
    @Param('ns') ns: string,
    @Entry() { key }: EntryPath,
    @MinPosition() minPosition: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    reply.status((await this.queries.execute(new EntryExists(ns, key, minPosition))) ? 200 : 404);
  }

  @Put(ENTRY)
  @keyParam
  @ApiOperation({ summary: 'PutEntry: 201 created / 200 updated; 409 VERSION_CONFLICT on expectedVersion mismatch' })
  @ApiBody({ type: PutEntryDto })
  @ApiCreatedResponse({ type: EntryWriteResultDto, description: 'Created (version 1)' })
  @ApiOkResponse({ type: EntryWriteResultDto, description: 'Updated' })
  @ApiWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'KEY_INVALID', 'VERSION_CONFLICT', 'QUOTA_EXCEEDED', 'SCHEMA_VIOLATION')
  async put(
    @Param('ns') ns: string,
    @Entry(['ttl']) path: EntryPath,
    @Body() body: unknown,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (path.sub === 'ttl') {
      const { ttlSeconds, expectedVersion } = await validateBody(SetTtlDto, body);
      return this.commands.execute(new SetTtl(ns, { key: path.key, ttlSeconds, expectedVersion }, meta));
    }
    const result = await this.commands.execute(new PutEntry(ns, toPutOp(path.key, validatePutEntry(body)), meta));
    reply.status(result.created ? 201 : 200);
    return result;
  }

  @Delete(ENTRY)
  @keyParam
  @HttpCode(204)
  @ApiQuery({ name: 'expectedVersion', required: false, type: 'integer', minimum: 0, description: 'the entry must be at this version' })
  @ApiQuery({ name: 'purge', required: false, type: Boolean, description: 'true: delete for good (not restorable)' })
  @ApiOperation({ summary: 'DeleteEntry (restorable until purged): 204; 404; 409 on expectedVersion mismatch' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiWrite(...ENTRY_PROBLEMS, 'VERSION_CONFLICT')
  async remove(
    @Param('ns') ns: string,
    @Entry() { key }: EntryPath,
    @QueryParam('expectedVersion') expected: string | undefined,
    @QueryParam('purge') purge: string | undefined,
    @Meta() meta: RequestMeta,
  ) {
    const op = { key, expectedVersion: wholeNumber(expected, 'expectedVersion') };
    await this.commands.execute(flag(purge, 'purge') ? new PurgeEntry(ns, op, meta) : new DeleteEntry(ns, { op: 'delete', ...op }, meta));
  }

  /** Documented as the operations of `…/{key}/restore` and `…/{key}/purge` (openapi.ts). */
  @Post(ENTRY)
  @ApiExcludeEndpoint()
  @HttpCode(200)
  action(@Param('ns') ns: string, @Entry(['restore', 'purge']) path: EntryPath, @Meta() meta: RequestMeta) {
    if (path.sub === 'restore') return this.commands.execute(new RestoreEntry(ns, path.key, meta));
    if (path.sub === 'purge') return this.commands.execute(new PurgeEntry(ns, { key: path.key }, meta));
    throw new NotFoundException('POST on an entry needs a sub-resource: …/{key}/restore or …/{key}/purge');
  }

  @Post(':ns/transactions')
  @HttpCode(200)
  @ApiOperation({ summary: 'CommitTransaction: all ops or none, one append; 409 names the failing op index' })
  @ApiOkResponse({ type: TransactionResultDto, description: 'Every op applied, in one append' })
  @ApiWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'KEY_INVALID', 'VERSION_CONFLICT', 'TRANSACTION_TOO_LARGE', 'QUOTA_EXCEEDED', 'SCHEMA_VIOLATION')
  transaction(@Param('ns') ns: string, @Body() body: TransactionDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new CommitTransaction(ns, toEntryOps(body), meta));
  }
}
