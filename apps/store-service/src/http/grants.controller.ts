import { Caller, CheckGrant, GrantAccess, ListGrants, RequestMeta, RevokeAccess } from '@app/store';
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GrantDto } from './governance.dto';
import { ApiProblems, ApiWrite, PROBLEMS } from './openapi';
import { QueryParam } from './query-params';
import { ApiMinPosition, AuthCaller, Meta, MinPosition } from './request-meta.decorator';
import { GrantCheckDto, GrantListDto, SubjectGrantDto } from './responses.dto';

const SUBJECT = ApiParam({ name: 'subject', description: 'user:<name> or role:<name>', schema: { type: 'string', pattern: '^(user|role):[\\x21-\\x7e]{1,128}$' } });

/** Who may do what on a namespace (namespace admin, or the admin role). */
@ApiTags('access control')
@Controller('v1/namespaces')
export class GrantsController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Get(':ns/grants')
  @ApiOperation({ summary: 'ListGrants: {items: [{subject, access}]}; needs namespace admin' })
  @ApiMinPosition()
  @ApiOkResponse({ type: GrantListDto })
  @ApiProblems(...PROBLEMS.readYourWrites, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  list(@Param('ns') ns: string, @AuthCaller() caller: Caller | undefined, @MinPosition() minPosition?: string) {
    return this.queries.execute(new ListGrants(ns, minPosition, caller));
  }

  @Get(':ns/grants/check')
  @ApiOperation({ summary: "CheckGrant: {allowed}: whether the subject's own grant allows the access; namespace admin, or a caller asking about its own user or roles" })
  @ApiQuery({ name: 'subject', required: true, type: String, description: 'user:<name> or role:<name>' })
  @ApiQuery({ name: 'access', required: true, enum: ['read', 'write', 'admin'] })
  @ApiOkResponse({ type: GrantCheckDto })
  @ApiProblems('VALIDATION_FAILED', 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  check(@Param('ns') ns: string, @AuthCaller() caller: Caller | undefined, @QueryParam('subject') subject?: string, @QueryParam('access') access?: string) {
    return this.queries.execute(new CheckGrant(ns, subject, access, caller));
  }

  @Put(':ns/grants/:subject')
  @SUBJECT
  @ApiOperation({ summary: 'Grant: {access: "read"|"write"|"admin"} to user:<name> or role:<name> (StoreAccessGranted); needs namespace admin' })
  @ApiOkResponse({ type: SubjectGrantDto })
  @ApiWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  grant(@Param('ns') ns: string, @Param('subject') subject: string, @Body() body: GrantDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new GrantAccess(ns, subject, body.access, meta));
  }

  @Delete(':ns/grants/:subject')
  @HttpCode(204)
  @SUBJECT
  @ApiOperation({ summary: 'Revoke (StoreAccessRevoked); 404 GRANT_NOT_FOUND when the subject has none; needs namespace admin' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiWrite('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'GRANT_NOT_FOUND')
  async revoke(@Param('ns') ns: string, @Param('subject') subject: string, @Meta() meta: RequestMeta): Promise<void> {
    await this.commands.execute(new RevokeAccess(ns, subject, meta));
  }
}
