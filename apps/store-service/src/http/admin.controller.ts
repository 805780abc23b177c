import { HotReload, RebuildReadModels, RequestMeta } from '@app/store';
import { Meta } from './request-meta.decorator';
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

  @Post('reload')
  @HttpCode(200)
  @ApiOperation({ summary: 'HotReload the config file (STORE_CONFIG): {sha256, changes, unchanged}; 400 CONFIG_INVALID keeps the old config' })
  reload(@Meta() meta: RequestMeta) {
    return this.commands.execute(new HotReload(meta, 'http'));
  }
}
