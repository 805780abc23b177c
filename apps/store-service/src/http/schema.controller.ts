import { GetSchema, RemoveSchema, RequestMeta, SetSchema } from '@app/store';
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SetSchemaDto } from './governance.dto';
import { ApiProblems, ApiWrite, PROBLEMS } from './openapi';
import { ApiMinPosition, Meta, MinPosition } from './request-meta.decorator';
import { SchemaDto, SetSchemaResultDto } from './responses.dto';

/** A namespace's value schema: every put and transaction op is checked against it. */
@ApiTags('namespaces')
@Controller('v1/namespaces')
export class SchemaController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Put(':ns/schema')
  @ApiOperation({
    summary: 'SetSchema: {schema} (JSON Schema 2020-12); from now on a put whose value is not JSON or fails is 400 SCHEMA_VIOLATION. '
      + 'Answers the first existing entries that violate it',
  })
  @ApiOkResponse({ type: SetSchemaResultDto })
  @ApiWrite(...PROBLEMS.jsonBody, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'SCHEMA_INVALID', 'SCHEMA_TOO_COMPLEX')
  set(@Param('ns') ns: string, @Body() body: SetSchemaDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new SetSchema(ns, body.schema, meta));
  }

  @Get(':ns/schema')
  @ApiOperation({ summary: 'The value schema of a namespace; 404 SCHEMA_NOT_FOUND when it has none' })
  @ApiMinPosition()
  @ApiOkResponse({ type: SchemaDto })
  @ApiProblems(...PROBLEMS.readYourWrites, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'SCHEMA_NOT_FOUND')
  get(@Param('ns') ns: string, @MinPosition() minPosition?: string) {
    return this.queries.execute(new GetSchema(ns, minPosition));
  }

  @Delete(':ns/schema')
  @HttpCode(204)
  @ApiOperation({ summary: 'RemoveSchema: values are free again; 404 SCHEMA_NOT_FOUND when there is none' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiWrite('NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'SCHEMA_NOT_FOUND')
  async remove(@Param('ns') ns: string, @Meta() meta: RequestMeta): Promise<void> {
    await this.commands.execute(new RemoveSchema(ns, meta));
  }
}
