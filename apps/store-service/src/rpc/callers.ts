import { ApiKeys, invalid, RequestMeta } from '@app/store';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ANONYMOUS, Authenticator, loadJwtKeys } from '../http/authentication';

const TOKEN_RE = /^[\x21-\x7e]{1,255}$/;

/** What a caller of gRPC or the microservice transport says about itself, beside the call. */
export interface CallerClaims {
  /** The `Authorization` value: `Bearer <credential>`. */
  readonly authorization?: string;
  readonly correlationId?: string;
  readonly idempotencyKey?: string;
}

/**
 * Who calls over the transports beside HTTP: the same bearer credentials, checked by the same
 * authenticator, and the same request metadata the commands and queries take.
 */
@Injectable()
export class RpcCallers {
  private authenticator?: Promise<Authenticator>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly apiKeys: ApiKeys) {}

  /** The caller's request metadata, or UNAUTHORIZED (with authentication on) / VALIDATION_FAILED. */
  async meta(claims: CallerClaims): Promise<RequestMeta> {
    const authenticated = this.config.auth.mode === 'on';
    const identity = authenticated ? await (await this.authenticate()).authenticate(claims.authorization) : ANONYMOUS;
    const { idempotencyKey, correlationId } = claims;
    if (idempotencyKey !== undefined && !TOKEN_RE.test(idempotencyKey)) throw invalid('idempotency-key is 1-255 visible ASCII characters');
    const requestId = randomUUID();
    return {
      actor: identity.user,
      roles: identity.roles,
      // Whose grants the handlers check; none while authentication is off (as over HTTP).
      caller: authenticated ? identity : undefined,
      correlationId: correlationId !== undefined && TOKEN_RE.test(correlationId) ? correlationId : requestId,
      causationId: requestId,
      idempotencyKey,
    };
  }

  private authenticate(): Promise<Authenticator> {
    this.authenticator ??= loadJwtKeys(this.config.auth).then((keys) => new Authenticator(this.config.auth, this.apiKeys, keys));
    return this.authenticator;
  }
}
