import {
  AddDependency, Caller, DeleteNamespace, GetDependencies, GetTags, RemoveDependency, RemoveTag, RequestMeta, SetQuota, SetTag,
} from '@app/store';
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiWrite, PROBLEMS } from './openapi';
import { ApiMinPosition, AuthCaller, Meta, MinPosition } from './request-meta.decorator';
import { DependenciesDto, NamespaceDto } from './responses.dto';

const TAGS_SCHEMA = { type: 'object', additionalProperties: { type: 'string', pattern: '^#[0-9a-f]{6}$' } } as const;
import { SetQuotaDto, SetTagDto } from './governance.dto';

/** Quotas, tags, dependencies and the delete of a namespace. */
@ApiTags('namespaces')
@Controller('v1/namespaces')
export class GovernanceController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Delete(':ns')
  @HttpCode(204)
  @ApiOperation({ summary: 'DeleteNamespace: its entries gone from reads and lists, its history kept; the name can be used again' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiWrite('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'NAMESPACE_IN_USE')
  async delete(@Param('ns') ns: string, @Meta() meta: RequestMeta): Promise<void> {
    await this.commands.execute(new DeleteNamespace(ns, meta));
  }

  @Put(':ns/quota')
  @ApiOperation({ summary: 'SetQuota: {maxEntries?, maxBytes?}, null clears a limit; writes past a limit are 409 QUOTA_EXCEEDED' })
  @ApiOkResponse({ type: NamespaceDto, description: 'The namespace with its quota' })
  @ApiWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  setQuota(@Param('ns') ns: string, @Body() body: SetQuotaDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new SetQuota(ns, { maxEntries: body.maxEntries, maxBytes: body.maxBytes }, meta));
  }

  @Get(':ns/tags')
  @ApiOperation({ summary: 'The tags of a namespace: {name: colour}' })
  @ApiMinPosition()
  @ApiOkResponse({ schema: TAGS_SCHEMA, description: 'Tag name -> colour' })
  @ApiProblems(...PROBLEMS.readYourWrites, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  tags(@Param('ns') ns: string, @AuthCaller() caller: Caller | undefined, @MinPosition() minPosition?: string) {
    return this.queries.execute(new GetTags(ns, minPosition, caller));
  }

  @Put(':ns/tags/:tag')
  @ApiOperation({ summary: 'SetTag: {color: "#rrggbb"}; answers every tag of the namespace' })
  @ApiOkResponse({ schema: TAGS_SCHEMA, description: 'Tag name -> colour' })
  @ApiWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  setTag(@Param('ns') ns: string, @Param('tag') tag: string, @Body() body: SetTagDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new SetTag(ns, tag, body.color, meta));
  }

  @Delete(':ns/tags/:tag')
  @HttpCode(204)
  @ApiOperation({ summary: 'RemoveTag; 404 TAG_NOT_FOUND when the namespace does not have it' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiWrite('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'TAG_NOT_FOUND')
  async removeTag(@Param('ns') ns: string, @Param('tag') tag: string, @Meta() meta: RequestMeta): Promise<void> {
    await this.commands.execute(new RemoveTag(ns, tag, meta));
  }

  @Get(':ns/dependencies')
  @ApiOperation({ summary: 'Dependencies: {direct, resolved}, resolved in dependency order (dependencies first)' })
  @ApiMinPosition()
  @ApiOkResponse({ type: DependenciesDto })
  @ApiProblems(...PROBLEMS.readYourWrites, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  dependencies(@Param('ns') ns: string, @AuthCaller() caller: Caller | undefined, @MinPosition() minPosition?: string) {
    return this.queries.execute(new GetDependencies(ns, minPosition, caller));
  }

  @Put(':ns/dependencies/:other')
  @ApiOperation({ summary: 'AddDependency on an existing namespace; 409 DEPENDENCY_CYCLE names the cycle it would close' })
  @ApiOkResponse({ type: DependenciesDto })
  @ApiWrite('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'DEPENDENCY_CYCLE')
  addDependency(@Param('ns') ns: string, @Param('other') other: string, @Meta() meta: RequestMeta) {
    return this.commands.execute(new AddDependency(ns, other, meta));
  }

  @Delete(':ns/dependencies/:other')
  @HttpCode(204)
  @ApiOperation({ summary: 'RemoveDependency; 404 DEPENDENCY_NOT_FOUND when there is none' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiWrite('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'DEPENDENCY_NOT_FOUND')
  async removeDependency(@Param('ns') ns: string, @Param('other') other: string, @Meta() meta: RequestMeta): Promise<void> {
    await this.commands.execute(new RemoveDependency(ns, other, meta));
  }
}
