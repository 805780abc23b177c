import { RebuildReadModels } from '@app/store';
import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

@ApiTags('admin')
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly commands: CommandBus) {}

  @Post('rebuild')
  @HttpCode(200)
  @ApiOperation({ summary: 'Drop the read models and replay the whole log: {events, millis}' })
  rebuild() {
    return this.commands.execute(new RebuildReadModels());
  }
}
