import { Caller, GetAccessAudit, GetAuditTrail } from '@app/store';
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AccessAuditPageDto, AuditTrailPageDto } from './audit.dto';
import { ApiProblems } from './openapi';
import { pageOptions, QueryParam, single } from './query-params';
import { AuthCaller } from './request-meta.decorator';

const PAGE_QUERIES = [
  ApiQuery({ name: 'limit', required: false, type: 'integer', minimum: 1, maximum: 1000, description: 'Items per page: default 100, max 1000' }),
  ApiQuery({ name: 'cursor', required: false, type: String, description: 'The `nextCursor` of the previous page' }),
];
const PageQueries = (): MethodDecorator => (target, key, descriptor) => {
  for (const decorate of PAGE_QUERIES) decorate(target, key, descriptor);
};

@ApiTags('audit')
@Controller('v1/namespaces')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':ns/audit')
  @ApiOperation({ summary: 'Audit trail from the log: every event of the namespace (who, what, when; never a value), oldest first, paged' })
  @ApiQuery({ name: 'actor', required: false, type: String, description: 'Only events made by this user' })
  @ApiQuery({ name: 'type', required: false, type: String, description: 'Only events of this type, e.g. StoreEntryDeleted' })
  @ApiQuery({ name: 'from', required: false, type: String, description: 'Only events at or after this time (ISO 8601)' })
  @ApiQuery({ name: 'to', required: false, type: String, description: 'Only events before this time (ISO 8601)' })
  @PageQueries()
  @ApiOkResponse({ type: AuditTrailPageDto })
  @ApiProblems('VALIDATION_FAILED', 'CURSOR_INVALID', 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  audit(
    @Param('ns') ns: string, @AuthCaller() caller: Caller | undefined,
    @QueryParam('actor') actor?: string, @QueryParam('type') type?: string, @QueryParam('from') from?: string, @QueryParam('to') to?: string,
    @QueryParam('limit') limit?: string, @QueryParam('cursor') cursor?: string,
  ) {
    const filter = { actor: single(actor), type: single(type), from: single(from), to: single(to) };
    return this.queries.execute(new GetAuditTrail(ns, filter, pageOptions(limit, cursor), caller));
  }

  @Get(':ns/access-audit')
  @ApiOperation({
    summary: 'Access audit: every call on the namespace — allowed, denied, rejected, limited or failed — kept apart from the log ' +
      'for ACCESS_AUDIT_RETENTION_DAYS; newest first, paged; namespace admins only',
  })
  @ApiQuery({ name: 'actor', required: false, type: String, description: 'Only calls by this user' })
  @ApiQuery({ name: 'outcome', required: false, enum: ['allowed', 'denied', 'rejected', 'limited', 'failed'] })
  @PageQueries()
  @ApiOkResponse({ type: AccessAuditPageDto })
  @ApiProblems('VALIDATION_FAILED', 'CURSOR_INVALID', 'NAMESPACE_INVALID', 'FORBIDDEN')
  accessAudit(
    @Param('ns') ns: string, @AuthCaller() caller: Caller | undefined,
    @QueryParam('actor') actor?: string, @QueryParam('outcome') outcome?: string,
    @QueryParam('limit') limit?: string, @QueryParam('cursor') cursor?: string,
  ) {
    return this.queries.execute(new GetAccessAudit(ns, { actor: single(actor), outcome: single(outcome) }, pageOptions(limit, cursor), caller));
  }
}
