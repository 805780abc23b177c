import { RebuildProgress } from '@app/event-store';
import { Caller } from '../shared/request-meta';
import { requireStoreAdmin } from '../namespace/access';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StoreBackend } from '../runtime/store-backend';

export interface RebuildResult {
  events: number;
  millis: number;
}

/** Drops every read model and replays the whole log. */
export class RebuildReadModels extends Command<RebuildResult> {
  constructor(readonly onProgress?: RebuildProgress, readonly caller?: Caller) {
    super();
  }
}

@CommandHandler(RebuildReadModels)
export class RebuildReadModelsHandler implements ICommandHandler<RebuildReadModels> {
  constructor(private readonly backend: StoreBackend) {}

  async execute({ onProgress, caller }: RebuildReadModels): Promise<RebuildResult> {
    requireStoreAdmin(caller);
    const started = performance.now();
    const events = await this.backend.rebuild(onProgress);
    return { events, millis: Math.round(performance.now() - started) };
  }
}
