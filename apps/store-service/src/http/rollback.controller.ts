import { Caller, CreateRollbackPoint, GetRollbackPoint, ListRollbackPoints, RequestMeta, RollBack } from '@app/store';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiWrite, PROBLEMS } from './openapi';
import { RollbackPointDetailDto, RollbackPointListDto, RollbackPointViewDto, RollbackResultDto } from './responses.dto';
import { RollbackDto, RollbackPointDto } from './lifecycle.dto';
import { pageOptions, QueryParam } from './query-params';
import { AuthCaller, Meta } from './request-meta.decorator';
import { validateBody } from './validation';

@ApiTags('rollback')
@Controller('v1/namespaces')
export class RollbackController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Post(':ns/rollback-points')
  @ApiOperation({ summary: 'CreateRollbackPoint at the current revision: 201 {id, stage, label, revision, createdAt, actor}' })
  @ApiBody({ type: RollbackPointDto, required: false })
  @ApiCreatedResponse({ type: RollbackPointViewDto, description: 'The point' })
  @ApiWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  async create(@Param('ns') ns: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    const { stage, label } = await validateBody(RollbackPointDto, body);
    return this.commands.execute(new CreateRollbackPoint(ns, { stage, label }, meta));
  }

  @Get(':ns/rollback-points')
  @ApiOperation({ summary: 'ListRollbackPoints, oldest first: {items}' })
  @ApiOkResponse({ type: RollbackPointListDto })
  @ApiProblems('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  list(@Param('ns') ns: string, @AuthCaller() caller: Caller | undefined) {
    return this.queries.execute(new ListRollbackPoints(ns, caller));
  }

  @Get(':ns/rollback-points/:id')
  @ApiOperation({ summary: 'GetRollbackPoint: the point and the entries visible at it, rebuilt from the log, paged in key order' })
  @ApiQuery({ name: 'limit', required: false, type: 'integer', minimum: 1, maximum: 1000, description: 'entries per page: default 100, max 1000' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'the entries\' nextCursor of the previous page' })
  @ApiOkResponse({ type: RollbackPointDetailDto })
  @ApiProblems('VALIDATION_FAILED', 'CURSOR_INVALID', 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'ROLLBACK_POINT_NOT_FOUND')
  get(
    @Param('ns') ns: string, @Param('id') id: string, @AuthCaller() caller: Caller | undefined,
    @QueryParam('limit') limit?: string, @QueryParam('cursor') cursor?: string,
  ) {
    return this.queries.execute(new GetRollbackPoint(ns, id, pageOptions(limit, cursor), caller));
  }

  @Post(':ns/rollback')
  @HttpCode(200)
  @ApiOperation({
    summary: 'RollBack to a point by compensating events, one atomic append: {pointId, toRevision, undoPointId, diff: {restored, changed, removed}, revision, position}',
  })
  @ApiOkResponse({ type: RollbackResultDto })
  @ApiWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'ROLLBACK_POINT_NOT_FOUND')
  rollback(@Param('ns') ns: string, @Body() body: RollbackDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new RollBack(ns, body.pointId, meta));
  }
}
