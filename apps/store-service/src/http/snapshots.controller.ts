import { GetSnapshot, ListSnapshots, RequestMeta, TakeSnapshot } from '@app/store';
import { Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { pageOptions, QueryParam } from './query-params';
import { Meta } from './request-meta.decorator';

@ApiTags('snapshots')
@Controller('v1/namespaces')
export class SnapshotsController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Post(':ns/snapshots')
  @ApiOperation({ summary: 'TakeSnapshot of the namespace at its current revision: 201 {id, revision, entryCount, createdAt, actor}' })
  create(@Param('ns') ns: string, @Meta() meta: RequestMeta) {
    return this.commands.execute(new TakeSnapshot(ns, meta));
  }

  @Get(':ns/snapshots')
  @ApiOperation({ summary: 'ListSnapshots, oldest first: {items}' })
  list(@Param('ns') ns: string) {
    return this.queries.execute(new ListSnapshots(ns));
  }

  @Get(':ns/snapshots/:id')
  @ApiOperation({ summary: 'GetSnapshot: the snapshot and the entries it captured (visible ones), paged in key order' })
  @ApiQuery({ name: 'limit', required: false, description: 'default 100, max 1000' })
  @ApiQuery({ name: 'cursor', required: false })
  get(@Param('ns') ns: string, @Param('id') id: string, @QueryParam('limit') limit?: string, @QueryParam('cursor') cursor?: string) {
    return this.queries.execute(new GetSnapshot(ns, id, pageOptions(limit, cursor)));
  }
}
