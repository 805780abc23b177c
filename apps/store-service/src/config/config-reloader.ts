import { HotReload, ReloadTrigger } from '@app/store';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from './config';

/** Applies the store config file at start and again on SIGHUP (HTTP and CLI reloads go through the admin API). */
@Injectable()
export class ConfigReloader implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('config');
  private readonly onSignal = () => void this.reload('signal').catch((error: Error) => this.logger.warn({ err: error }, 'reload refused; the old config stays in force'));

  constructor(private readonly commands: CommandBus, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.storeConfigFile) return;
    await this.reload('start');
    process.on('SIGHUP', this.onSignal);
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onSignal);
  }

  private async reload(trigger: ReloadTrigger): Promise<void> {
    const id = randomUUID();
    const result = await this.commands.execute(new HotReload({ actor: 'system', correlationId: id, causationId: `config-${trigger}` }, trigger));
    this.logger.log({ trigger, changes: result.changes, sha256: result.sha256 }, result.unchanged ? 'config unchanged' : 'config applied');
  }
}
