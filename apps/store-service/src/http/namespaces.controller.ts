import { Caller, CreateNamespace, GetNamespace, ListNamespaces, RequestMeta } from '@app/store';
import { Controller, Get, Param, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { QueryParam } from './query-params';
import { ApiProblems, ApiWrite, PROBLEMS } from './openapi';
import type { FastifyReply } from 'fastify';
import { ApiMinPosition, AuthCaller, Meta, MinPosition } from './request-meta.decorator';
import { CreateNamespaceResultDto, NamespaceDto } from './responses.dto';

@ApiTags('namespaces')
@Controller('v1/namespaces')
export class NamespacesController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'ListNamespaces: every namespace with its entry count, bytes and revision (without the admin role: those the caller may read)' })
  @ApiMinPosition()
  @ApiQuery({ name: 'tag', required: false, type: String, description: 'Only the namespaces with this tag' })
  @ApiOkResponse({ type: [NamespaceDto], description: 'Every namespace, by name' })
  @ApiProblems(...PROBLEMS.readYourWrites)
  list(@AuthCaller() caller: Caller | undefined, @MinPosition() minPosition?: string, @QueryParam('tag') tag?: string) {
    return this.queries.execute(new ListNamespaces(minPosition, tag, caller));
  }

  @Put(':ns')
  @ApiOperation({ summary: 'Create a namespace (201), or nothing if it exists (200); needs the admin role' })
  @ApiCreatedResponse({ type: CreateNamespaceResultDto, description: 'Created' })
  @ApiOkResponse({ type: CreateNamespaceResultDto, description: 'It existed: nothing changed' })
  @ApiWrite('NAMESPACE_INVALID')
  async create(@Param('ns') ns: string, @Meta() meta: RequestMeta, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.execute(new CreateNamespace(ns, meta));
    reply.status(result.created ? 201 : 200);
    return result;
  }

  @Get(':ns')
  @ApiOperation({ summary: 'One namespace; 404 NAMESPACE_NOT_FOUND' })
  @ApiMinPosition()
  @ApiOkResponse({ type: NamespaceDto })
  @ApiProblems(...PROBLEMS.readYourWrites, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  get(@Param('ns') ns: string, @AuthCaller() caller: Caller | undefined, @MinPosition() minPosition?: string) {
    return this.queries.execute(new GetNamespace(ns, minPosition, caller));
  }
}
