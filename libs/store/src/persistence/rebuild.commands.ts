import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StoreBackend } from './store-backend';

export interface RebuildResult {
  events: number;
  millis: number;
}

/** Drops every read model and replays the whole log. */
export class RebuildReadModels extends Command<RebuildResult> {}

@CommandHandler(RebuildReadModels)
export class RebuildReadModelsHandler implements ICommandHandler<RebuildReadModels> {
  constructor(private readonly backend: StoreBackend) {}

  async execute(): Promise<RebuildResult> {
    const started = performance.now();
    const events = await this.backend.rebuild();
    return { events, millis: Math.round(performance.now() - started) };
  }
}
