import { GetCallerGrants } from '@app/store';
import { Controller, Get, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf, identityOf } from './authentication';
import { ApiProblems } from './openapi';
import { WhoAmIDto } from './responses.dto';

@ApiTags('identity')
@Controller('v1')
export class IdentityController {
  constructor(private readonly queries: QueryBus) {}

  @Get('whoami')
  @ApiOperation({ summary: 'Who the credential says the caller is: user, roles and the namespaces its grants reach' })
  @ApiOkResponse({ type: WhoAmIDto, description: 'The caller' })
  @ApiProblems()
  async whoami(@Req() request: FastifyRequest): Promise<WhoAmIDto> {
    const { user, roles } = identityOf(request);
    const caller = callerOf(request);
    // While authentication is off the caller is anonymous: no grants apply to it.
    const grants = caller === undefined ? [] : await this.queries.execute(new GetCallerGrants(caller));
    return { user, roles: [...roles], grants };
  }
}
