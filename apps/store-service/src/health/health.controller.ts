import { StoreBackend } from '@app/store';
import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';

@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly backend: StoreBackend,
  ) {}

  /** The process is up and answering. */
  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live() {
    return this.health.check([]);
  }

  /** The store can serve reads and writes; reports positions and the projector's lag behind the log. 503 with the same report when not. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: 200 when the store can serve, else 503 with the same report and the reason; positions and projector lag' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.health.check([
        async () => {
          const session = this.indicators.check('store');
          const facts = { backend: this.backend.name, ...(await this.backend.describe()) };
          const problem = this.backend.unready();
          return problem ? session.down({ ...facts, reason: problem }) : session.up(facts);
        },
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503);
      return error.getResponse();
    }
  }
}
