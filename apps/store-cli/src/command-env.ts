import { StoreClient } from '@app/client';
import { Output } from './output';

/** What every command gets from the global options. */
export interface CommandEnv {
  readonly client: StoreClient;
  readonly out: Output;
  /** Whether to draw progress bars. */
  readonly progress: boolean;
}

/** Ends a command with this exit code, its output already printed (a report of a service that is not ready). */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
