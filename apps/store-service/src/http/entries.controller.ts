import {
  CommitTransaction, DeleteEntry, EntryExists, GetEntry, GetEntryAsOf, GetEntryHistory, ListEntries, PurgeEntry, PutEntry,
  RequestMeta, RestoreEntry, SetTtl,
} from '@app/store';
import { Body, Controller, Delete, Get, Head, HttpCode, NotFoundException, Param, Post, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiExtraModels, ApiOperation, ApiParam, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PutEntryDto, SetTtlDto, toPutOp } from './entry.dto';
import { Entry, EntryPath } from './entry-path';
import { flag, pageOptions, QueryParam, single, wholeNumber } from './query-params';
import { ApiMinPosition, Meta, MinPosition } from './request-meta.decorator';
import { toEntryOps, TransactionDto } from './transaction.dto';
import { validatePutEntry } from './put-entry.validator';
import { validateBody } from './validation';

/** Keys may hold `/`: the rest of the path after `entries/` is the key (see entry-path.ts for sub-resources). */
const ENTRY = ':ns/entries/*';
const keyParam = ApiParam({
  name: '*',
  description: 'the key (the rest of the path; "/" allowed), then optionally a sub-resource segment. ' +
    'A key whose last segment is ttl, history, restore or purge is sent with its last "/" as %2F',
});

@ApiTags('entries')
@ApiExtraModels(PutEntryDto, SetTtlDto)
@Controller('v1/namespaces')
export class EntriesController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Get(':ns/entries')
  @ApiOperation({ summary: 'ListEntries in key order: {items, nextCursor}; includeDeleted=true adds deleted entries with deletedAt and restorable' })
  @ApiQuery({ name: 'prefix', required: false })
  @ApiQuery({ name: 'limit', required: false, description: 'default 100, max 1000' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'includeDeleted', required: false, description: 'true or false (default)' })
  @ApiMinPosition()
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
    summary: 'GetEntry; 404 ENTRY_NOT_FOUND (also when expired or deleted). ?asOf=<revision>: the entry at that namespace revision. ' +
      '…/{key}/history: EntryHistory, every change oldest first, paged with limit and cursor',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'a namespace revision from 0 to the current one' })
  @ApiQuery({ name: 'limit', required: false, description: 'history: default 100, max 1000' })
  @ApiQuery({ name: 'cursor', required: false, description: 'history: the nextCursor of the previous page' })
  @ApiMinPosition()
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
  @ApiOperation({
    summary: 'PutEntry: 201 created / 200 updated; 409 VERSION_CONFLICT on expectedVersion mismatch. ' +
      '…/{key}/ttl: SetTTL {ttlSeconds} (null clears), 200',
  })
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(PutEntryDto) }, { $ref: getSchemaPath(SetTtlDto) }] } })
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
  @ApiQuery({ name: 'expectedVersion', required: false })
  @ApiQuery({ name: 'purge', required: false, description: 'true: delete for good (not restorable)' })
  @ApiOperation({ summary: 'DeleteEntry (restorable until purged): 204; 404; 409 on expectedVersion mismatch' })
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

  @Post(ENTRY)
  @keyParam
  @HttpCode(200)
  @ApiOperation({ summary: '…/{key}/restore: RestoreEntry (a deleted entry back with its last value); …/{key}/purge: PurgeEntry' })
  action(@Param('ns') ns: string, @Entry(['restore', 'purge']) path: EntryPath, @Meta() meta: RequestMeta) {
    if (path.sub === 'restore') return this.commands.execute(new RestoreEntry(ns, path.key, meta));
    if (path.sub === 'purge') return this.commands.execute(new PurgeEntry(ns, { key: path.key }, meta));
    throw new NotFoundException('POST on an entry needs a sub-resource: …/{key}/restore or …/{key}/purge');
  }

  @Post(':ns/transactions')
  @HttpCode(200)
  @ApiOperation({ summary: 'CommitTransaction: all ops or none, one append; 409 names the failing op index' })
  transaction(@Param('ns') ns: string, @Body() body: TransactionDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new CommitTransaction(ns, toEntryOps(body), meta));
  }
}
