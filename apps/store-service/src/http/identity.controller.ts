import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { identityOf } from './authentication';
import { ApiProblems } from './openapi';
import { WhoAmIDto } from './responses.dto';

@ApiTags('identity')
@Controller('v1')
export class IdentityController {
  @Get('whoami')
  @ApiOperation({ summary: 'Who the credential says the caller is: user, roles and grants' })
  @ApiOkResponse({ type: WhoAmIDto, description: 'The caller' })
  @ApiProblems()
  whoami(@Req() request: FastifyRequest): WhoAmIDto {
    const { user, roles } = identityOf(request);
    return { user, roles: [...roles], grants: [] };
  }
}
