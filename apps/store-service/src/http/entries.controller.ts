import {
  CommitTransaction, DeleteEntry, EntryExists, GetEntry, invalid, ListEntries, RequestMeta,
} from '@app/store';
import { Body, Controller, Delete, Get, Head, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PutEntryDto, toPutOp } from './entry.dto';
import { ApiMinPosition, Meta, MinPosition } from './request-meta.decorator';
import { toEntryOps, TransactionDto } from './transaction.dto';
import { PutEntry } from '@app/store';

/** Keys may hold `/`: the rest of the path after `entries/` is the key, percent-decoded. */
const ENTRY = ':ns/entries/*';
const keyParam = ApiParam({ name: '*', description: 'the key (the rest of the path; "/" allowed)' });

@ApiTags('entries')
@Controller('v1/namespaces')
export class EntriesController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Get(':ns/entries')
  @ApiOperation({ summary: 'ListEntries in key order: {items, nextCursor}' })
  @ApiQuery({ name: 'prefix', required: false })
  @ApiQuery({ name: 'limit', required: false, description: 'default 100, max 1000' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiMinPosition()
  list(
    @Param('ns') ns: string,
    @MinPosition() minPosition: string | undefined,
    @Query('prefix') prefix?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ) {
    const options = { prefix: single(prefix), limit: wholeNumber(limit, 'limit'), cursor: single(cursor) };
    return this.queries.execute(new ListEntries(ns, options, minPosition));
  }

  @Get(ENTRY)
  @keyParam
  @ApiOperation({ summary: 'GetEntry; 404 ENTRY_NOT_FOUND (also when expired or deleted)' })
  @ApiMinPosition()
  get(@Param('ns') ns: string, @Param('*') key: string, @MinPosition() minPosition?: string) {
    return this.queries.execute(new GetEntry(ns, key, minPosition));
  }

  @Head(ENTRY)
  @keyParam
  @ApiOperation({ summary: 'EntryExists: 200 or 404, no body' })
  @ApiMinPosition()
  async exists(
    @Param('ns') ns: string,
    @Param('*') key: string,
    @MinPosition() minPosition: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    reply.status((await this.queries.execute(new EntryExists(ns, key, minPosition))) ? 200 : 404);
  }

  @Put(ENTRY)
  @keyParam
  @ApiOperation({ summary: 'PutEntry: 201 created / 200 updated; 409 VERSION_CONFLICT on expectedVersion mismatch' })
  async put(
    @Param('ns') ns: string,
    @Param('*') key: string,
    @Body() body: PutEntryDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.commands.execute(new PutEntry(ns, toPutOp(key, body), meta));
    reply.status(result.created ? 201 : 200);
    return result;
  }

  @Delete(ENTRY)
  @keyParam
  @HttpCode(204)
  @ApiQuery({ name: 'expectedVersion', required: false })
  @ApiOperation({ summary: 'DeleteEntry: 204; 404; 409 on expectedVersion mismatch' })
  async remove(@Param('ns') ns: string, @Param('*') key: string, @Query('expectedVersion') expected: string | undefined, @Meta() meta: RequestMeta) {
    await this.commands.execute(new DeleteEntry(ns, { op: 'delete', key, expectedVersion: wholeNumber(expected, 'expectedVersion') }, meta));
  }

  @Post(':ns/transactions')
  @HttpCode(200)
  @ApiOperation({ summary: 'CommitTransaction: all ops or none, one append; 409 names the failing op index' })
  transaction(@Param('ns') ns: string, @Body() body: TransactionDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new CommitTransaction(ns, toEntryOps(body), meta));
  }
}

function single(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw invalid('a query parameter was given more than once');
}

function wholeNumber(value: unknown, name: string): number | undefined {
  const text = single(value);
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw invalid(`${name} is a whole number`);
  return Number(text);
}
