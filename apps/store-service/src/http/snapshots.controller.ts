import { Caller, GetSnapshot, ListSnapshots, RequestMeta, TakeSnapshot } from '@app/store';
import { Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiWrite } from './openapi';
import { SnapshotDetailDto, SnapshotDto, SnapshotListDto } from './responses.dto';
import { pageOptions, QueryParam } from './query-params';
import { AuthCaller, Meta } from './request-meta.decorator';

@ApiTags('snapshots')
@Controller('v1/namespaces')
export class SnapshotsController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Post(':ns/snapshots')
  @ApiOperation({ summary: 'TakeSnapshot of the namespace at its current revision: 201 {id, revision, entryCount, createdAt, actor}' })
  @ApiCreatedResponse({ type: SnapshotDto })
  @ApiWrite('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  create(@Param('ns') ns: string, @Meta() meta: RequestMeta) {
    return this.commands.execute(new TakeSnapshot(ns, meta));
  }

  @Get(':ns/snapshots')
  @ApiOperation({ summary: 'ListSnapshots, oldest first: {items}' })
  @ApiOkResponse({ type: SnapshotListDto })
  @ApiProblems('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  list(@Param('ns') ns: string, @AuthCaller() caller: Caller | undefined) {
    return this.queries.execute(new ListSnapshots(ns, caller));
  }

  @Get(':ns/snapshots/:id')
  @ApiOperation({ summary: 'GetSnapshot: the snapshot and the entries it captured (visible ones), paged in key order' })
  @ApiQuery({ name: 'limit', required: false, type: 'integer', minimum: 1, maximum: 1000, description: 'entries per page: default 100, max 1000' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'the entries\' nextCursor of the previous page' })
  @ApiOkResponse({ type: SnapshotDetailDto })
  @ApiProblems('VALIDATION_FAILED', 'CURSOR_INVALID', 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'SNAPSHOT_NOT_FOUND')
  get(
    @Param('ns') ns: string, @Param('id') id: string, @AuthCaller() caller: Caller | undefined,
    @QueryParam('limit') limit?: string, @QueryParam('cursor') cursor?: string,
  ) {
    return this.queries.execute(new GetSnapshot(ns, id, pageOptions(limit, cursor), caller));
  }
}
