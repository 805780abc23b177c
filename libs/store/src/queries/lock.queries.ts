import { AccessControl } from '../access/access-control';
import { Caller } from '../shared/request-meta';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { LockView, lockView } from '../read-models/locks/locks.read-model';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';
import { ReadConsistency } from './read-consistency';

/** A lock held or not, by the store's clock now. */
export class GetLock extends Query<LockView> {
  constructor(readonly lock: string, readonly minPosition?: string, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(GetLock)
export class GetLockHandler implements IQueryHandler<GetLock> {
  constructor(
    private readonly backend: StoreBackend, private readonly clock: Clock, private readonly reads: ReadConsistency,
    private readonly access: AccessControl,
  ) {}

  async execute({ lock, minPosition, caller }: GetLock): Promise<LockView> {
    this.access.requireLock(caller, lock, false);
    await this.reads.ready(minPosition);
    return lockView(this.backend.locks.state(lock), this.clock.now());
  }
}
