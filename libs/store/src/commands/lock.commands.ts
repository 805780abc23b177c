import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decideAcquire, decideExpire, decideRelease, decideRenew } from '../lock/lock.decide';
import { LockState } from '../lock/lock';
import { namespaceNotFound } from '../namespace/namespace';
import { NamespacesReadModel } from '../read-models/namespaces/namespaces.read-model';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';
import { AccessControl } from '../access/access-control';
import { RequestMeta } from '../shared/request-meta';

/** A lease as acquire and renew answer it. */
export interface LockGrant {
  name: string;
  owner: string;
  token: number;
  expiresAt: string;
}

const grantOf = (state: LockState): LockGrant => {
  const holder = state.holder!;
  return { name: state.name, owner: holder.owner, token: holder.token, expiresAt: new Date(holder.expiresAt).toISOString() };
};

/** `lock` is the lock's full name (a namespace's freeze: `namespace/<ns>`, with `namespace` set: it must exist). */
export class AcquireLock extends Command<LockGrant> {
  constructor(readonly lock: string, readonly owner: unknown, readonly ttlSeconds: unknown, readonly meta: RequestMeta, readonly namespace?: string) {
    super();
  }
}

export class RenewLock extends Command<LockGrant> {
  constructor(readonly lock: string, readonly token: unknown, readonly ttlSeconds: unknown, readonly meta: RequestMeta) {
    super();
  }
}

export class ReleaseLock extends Command<void> {
  constructor(readonly lock: string, readonly token: unknown, readonly meta: RequestMeta) {
    super();
  }
}

/** The sweeper's command: record the expiry of the lock's lease if it ran out. */
export class ExpireLock extends Command<{ expired: number }> {
  constructor(readonly lock: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(AcquireLock)
export class AcquireLockHandler implements ICommandHandler<AcquireLock> {
  constructor(
    private readonly backend: StoreBackend, private readonly clock: Clock, private readonly namespaces: NamespacesReadModel,
    private readonly access: AccessControl,
  ) {}

  execute({ lock, owner, ttlSeconds, meta, namespace }: AcquireLock): Promise<LockGrant> {
    this.access.requireLock(meta.caller, lock, true);
    if (namespace !== undefined && !this.namespaces.get(namespace)) throw namespaceNotFound(namespace);
    return this.backend.lockWriter.write(meta, () => this.clock.now(), {
      lock, decide: (state, now) => decideAcquire(state, owner, ttlSeconds, now), respond: grantOf,
    });
  }
}

@CommandHandler(RenewLock)
export class RenewLockHandler implements ICommandHandler<RenewLock> {
  constructor(private readonly backend: StoreBackend, private readonly clock: Clock, private readonly access: AccessControl) {}

  execute({ lock, token, ttlSeconds, meta }: RenewLock): Promise<LockGrant> {
    this.access.requireLock(meta.caller, lock, true);
    return this.backend.lockWriter.write(meta, () => this.clock.now(), {
      lock, decide: (state, now) => decideRenew(state, token, ttlSeconds, now), respond: grantOf,
    });
  }
}

@CommandHandler(ReleaseLock)
export class ReleaseLockHandler implements ICommandHandler<ReleaseLock> {
  constructor(private readonly backend: StoreBackend, private readonly clock: Clock, private readonly access: AccessControl) {}

  execute({ lock, token, meta }: ReleaseLock): Promise<void> {
    this.access.requireLock(meta.caller, lock, true);
    return this.backend.lockWriter.write(meta, () => this.clock.now(), {
      lock, decide: (state, now) => decideRelease(state, token, now), respond: () => undefined,
    });
  }
}

@CommandHandler(ExpireLock)
export class ExpireLockHandler implements ICommandHandler<ExpireLock> {
  constructor(private readonly backend: StoreBackend, private readonly clock: Clock) {}

  execute({ lock, meta }: ExpireLock): Promise<{ expired: number }> {
    return this.backend.lockWriter.write(meta, () => this.clock.now(), {
      lock, decide: (state, now) => decideExpire(state, now), respond: (_, events) => ({ expired: events.length }),
    });
  }
}

export const LOCK_COMMAND_HANDLERS = [AcquireLockHandler, RenewLockHandler, ReleaseLockHandler, ExpireLockHandler];
