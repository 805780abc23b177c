import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Access } from '../namespace/access';
import { decideGrant, decideRevoke } from '../namespace/grants.decide';
import { Clock } from '../shared/clock';
import { RequestMeta } from '../shared/request-meta';
import { handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';

export interface GrantView {
  namespace: string;
  subject: string;
  access: Access;
}

/** Gives `subject` access to the namespace (namespace admin); the same access again writes nothing. */
export class GrantAccess extends Command<GrantView> {
  constructor(readonly namespace: string, readonly subject: string, readonly access: unknown, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(GrantAccess)
export class GrantAccessHandler implements ICommandHandler<GrantAccess> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock) {}

  execute({ namespace, subject, access, meta }: GrantAccess): Promise<GrantView> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'grant', input: { subject, access },
      decide: (state) => decideGrant(state, subject, access),
      respond: () => ({ namespace, subject, access: access as Access }),
    });
  }
}

/** Takes a subject's grant away (namespace admin); GRANT_NOT_FOUND when it has none. */
export class RevokeAccess extends Command<void> {
  constructor(readonly namespace: string, readonly subject: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(RevokeAccess)
export class RevokeAccessHandler implements ICommandHandler<RevokeAccess> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock) {}

  execute({ namespace, subject, meta }: RevokeAccess): Promise<void> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'revoke', input: { subject },
      decide: (state) => decideRevoke(state, subject),
      respond: () => undefined,
    });
  }
}

export const GRANT_COMMAND_HANDLERS = [GrantAccessHandler, RevokeAccessHandler];
