import { Caller, GetConsumer, ListReplicas, RequestMeta, SaveConsumerCheckpoint } from '@app/store';
import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiWrite, PROBLEMS } from './openapi';
import { ConsumerDto, ReplicaDto } from './responses.dto';
import { IsString } from 'class-validator';
import { AuthCaller, Meta } from './request-meta.decorator';

export class CheckpointDto {
  @ApiProperty({ description: 'the last feed position the consumer has processed' })
  @IsString()
  position: string;
}

@ApiTags('feed')
@Controller('v1')
export class ConsumersController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus) {}

  @Put('consumers/:name/checkpoint')
  @ApiOperation({ summary: "Save a durable consumer's checkpoint (an event; the last one wins)" })
  @ApiOkResponse({ type: ConsumerDto, description: 'The consumer with its new checkpoint' })
  @ApiWrite(...PROBLEMS.jsonBody, 'CURSOR_INVALID', 'CURSOR_STALE')
  checkpoint(@Param('name') name: string, @Body() body: CheckpointDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new SaveConsumerCheckpoint(name, body.position, meta));
  }

  @Get('consumers/:name')
  @ApiOperation({ summary: 'A durable consumer and its checkpoint; resume with GET /v1/feed?consumer=NAME' })
  @ApiOkResponse({ type: ConsumerDto })
  @ApiProblems('VALIDATION_FAILED', 'CONSUMER_NOT_FOUND')
  get(@Param('name') name: string, @AuthCaller() caller: Caller | undefined) {
    return this.queries.execute(new GetConsumer(name, caller));
  }

  @Get('replicas')
  @ApiOperation({ summary: 'Each read-model projector and durable consumer: position, lag, status, lastSyncedAt' })
  @ApiOkResponse({ type: [ReplicaDto] })
  @ApiProblems()
  replicas(@AuthCaller() caller: Caller | undefined) {
    return this.queries.execute(new ListReplicas(caller));
  }
}
