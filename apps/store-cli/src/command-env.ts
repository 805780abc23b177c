import { StoreClient } from '@app/client';
import { Output } from './output';

/** What every command gets from the global options. */
export interface CommandEnv {
  readonly client: StoreClient;
  readonly out: Output;
  /** Whether to draw progress bars. */
  readonly progress: boolean;
}
