import { Caller, CreateNamespace, GetNamespace, ListNamespaces, RequestMeta, StoreError } from '@app/store';
import { Body, Controller, Get, Param, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({
    summary: 'Create a namespace (201), or nothing if it exists (200); needs the admin role. Body (optional): {encrypted: true} seals its '
      + 'values under its own data keys; refused 503 KEY_UNAVAILABLE when the service has no master key, 409 NAMESPACE_NOT_ENCRYPTED when it '
      + 'exists unencrypted',
  })
  @ApiBody({ required: false, schema: { type: 'object', properties: { encrypted: { type: 'boolean' } }, additionalProperties: false } })
  @ApiCreatedResponse({ type: CreateNamespaceResultDto, description: 'Created' })
  @ApiOkResponse({ type: CreateNamespaceResultDto, description: 'It existed: nothing changed' })
  @ApiWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'KEY_UNAVAILABLE', 'NAMESPACE_NOT_ENCRYPTED')
  async create(@Param('ns') ns: string, @Meta() meta: RequestMeta, @Res({ passthrough: true }) reply: FastifyReply, @Body() body?: unknown) {
    const result = await this.commands.execute(new CreateNamespace(ns, meta, createOptions(body)));
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

/** The optional body of a create: nothing, or {encrypted: boolean}. */
function createOptions(body: unknown): { encrypted?: boolean } {
  if (body === undefined || body === null) return {};
  const fields = typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : undefined;
  const encrypted = fields && (body as { encrypted?: unknown }).encrypted;
  if (!fields || fields.some((f) => f !== 'encrypted') || (encrypted !== undefined && typeof encrypted !== 'boolean')) {
    throw new StoreError('VALIDATION_FAILED', 'the body of a namespace create is {"encrypted": true|false}, or none');
  }
  return encrypted === undefined ? {} : { encrypted };
}
