import { BackupStore, HotReload, ListMigrations, RebuildReadModels, RequestMeta, RestoreStore } from '@app/store';
import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiWrite } from './openapi';
import { MigrationDto, RebuildResultDto, ReloadResultDto, RestoreResultDto } from './responses.dto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ARCHIVE_CONTENT_TYPES, archiveUpload, settle } from './archive-upload';
import { Meta } from './request-meta.decorator';

@ApiTags('admin')
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly commands: CommandBus, private readonly queries: QueryBus, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('migrations')
  @ApiOperation({ summary: 'The event-shape migrations this store has recorded (StoreSchemaMigrated), oldest first: each once, when a release that has it first started' })
  @ApiOkResponse({ type: [MigrationDto] })
  @ApiProblems()
  migrations() {
    return this.queries.execute(new ListMigrations());
  }

  @Post('rebuild')
  @HttpCode(200)
  @ApiOperation({ summary: 'Drop the read models and replay the whole log: {events, millis}' })
  @ApiOkResponse({ type: RebuildResultDto })
  @ApiProblems('STORAGE_FULL')
  rebuild() {
    return this.commands.execute(new RebuildReadModels());
  }

  @Post('reload')
  @HttpCode(200)
  @ApiOperation({ summary: 'HotReload the config file (STORE_CONFIG): {sha256, changes, unchanged}; 400 CONFIG_INVALID keeps the old config' })
  @ApiOkResponse({ type: ReloadResultDto })
  @ApiWrite('CONFIG_INVALID')
  reload(@Meta() meta: RequestMeta) {
    return this.commands.execute(new HotReload(meta, 'http'));
  }

  @Post('backup')
  @HttpCode(200)
  @ApiQuery({ name: 'namespace', required: false, type: String, isArray: true, description: 'only these namespaces (repeat the parameter)' })
  @ApiOkResponse({
    description: 'The archive (gzip\'d NDJSON), streamed as it is read from the log',
    content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblems('VALIDATION_FAILED', 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND', 'STORAGE_FULL')
  @ApiOperation({ summary: 'BackupStore: streams a gzip\'d NDJSON archive of the log up to its current head' })
  async backup(@Query('namespace') namespace: string | string[] | undefined, @Meta() meta: RequestMeta) {
    const namespaces = namespace === undefined ? undefined : [namespace].flat();
    const { header, stream } = await this.commands.execute(new BackupStore(meta, { namespaces }));
    const stamp = header.createdAt.replace(/[:.]/g, '-');
    return new StreamableFile(stream, { type: 'application/gzip', disposition: `attachment; filename="hexastore-${stamp}.ndjson.gz"` });
  }

  @Post('restore')
  @HttpCode(200)
  @ApiConsumes(...ARCHIVE_CONTENT_TYPES)
  @ApiBody({ description: 'a backup archive (gzip\'d NDJSON)', schema: { type: 'string', format: 'binary' } })
  @ApiOperation({
    summary: 'RestoreStore: verifies the whole archive, then restores it all or nothing with a new incarnation; '
      + '409 RESTORE_CONFLICT when the store has any of its namespaces, 400 ARCHIVE_INVALID for a damaged or foreign file',
  })
  @ApiOkResponse({ type: RestoreResultDto })
  @ApiWrite('UNSUPPORTED_MEDIA_TYPE', 'ARCHIVE_INVALID', 'RESTORE_CONFLICT', 'NOT_SUPPORTED', 'PAYLOAD_TOO_LARGE', 'STORAGE_FULL')
  async restore(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Meta() meta: RequestMeta) {
    try {
      return await this.commands.execute(new RestoreStore(archiveUpload(request, this.config.maxArchiveBytes), meta, { limits: this.config.restore }));
    } catch (error) {
      settle(request, reply, error);
      throw error;
    }
  }
}
