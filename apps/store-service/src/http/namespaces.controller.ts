import { CreateNamespace, GetNamespace, ListNamespaces, RequestMeta } from '@app/store';
import { Controller, Get, Param, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiMinPosition, Meta, MinPosition } from './request-meta.decorator';

@ApiTags('namespaces')
@Controller('v1/namespaces')
export class NamespacesController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'ListNamespaces: every namespace with its entry count, bytes and revision' })
  @ApiMinPosition()
  list(@MinPosition() minPosition?: string) {
    return this.queries.execute(new ListNamespaces(minPosition));
  }

  @Put(':ns')
  @ApiOperation({ summary: 'Create a namespace (201), or nothing if it exists (200)' })
  async create(@Param('ns') ns: string, @Meta() meta: RequestMeta, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.execute(new CreateNamespace(ns, meta));
    reply.status(result.created ? 201 : 200);
    return result;
  }

  @Get(':ns')
  @ApiOperation({ summary: 'One namespace; 404 NAMESPACE_NOT_FOUND' })
  @ApiMinPosition()
  get(@Param('ns') ns: string, @MinPosition() minPosition?: string) {
    return this.queries.execute(new GetNamespace(ns, minPosition));
  }
}
