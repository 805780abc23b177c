import { GetConsumer, ListReplicas, RequestMeta, SaveConsumerCheckpoint } from '@app/store';
import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { Meta } from './request-meta.decorator';

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
  checkpoint(@Param('name') name: string, @Body() body: CheckpointDto, @Meta() meta: RequestMeta) {
    return this.commands.execute(new SaveConsumerCheckpoint(name, body.position, meta));
  }

  @Get('consumers/:name')
  @ApiOperation({ summary: 'A durable consumer and its checkpoint; resume with GET /v1/feed?consumer=NAME' })
  get(@Param('name') name: string) {
    return this.queries.execute(new GetConsumer(name));
  }

  @Get('replicas')
  @ApiOperation({ summary: 'Each read-model projector and durable consumer: position, lag, status, lastSyncedAt' })
  replicas() {
    return this.queries.execute(new ListReplicas());
  }
}
