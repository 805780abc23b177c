import { StoreBackend } from '@app/store';
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

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
  live() {
    return this.health.check([]);
  }

  /** The store can serve reads and writes. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const session = this.indicators.check('store');
        const problem = this.backend.unready();
        const facts = { backend: this.backend.name, ...this.backend.describe() };
        return problem ? session.down({ ...facts, reason: problem }) : session.up(facts);
      },
    ]);
  }
}
