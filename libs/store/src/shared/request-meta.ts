/** Who asks: the user and roles a credential proves. */
export interface Caller {
  readonly user: string;
  readonly roles: readonly string[];
}

/** Who asks and why, as the transport saw it; every command and query carries one. */
export interface RequestMeta {
  /** The authenticated user (`anonymous` while authentication is off; `system` for the service's own work). */
  readonly actor: string;
  /** The authenticated caller's roles (none while authentication is off). */
  readonly roles?: readonly string[];
  /**
   * Whose access is checked: the caller a credential proved. Undefined while authentication is off
   * and for the service's own work (expiry, config reload): nothing is checked then.
   */
  readonly caller?: Caller;
  readonly correlationId: string;
  /** Id of the request that caused this command. */
  readonly causationId: string;
  readonly idempotencyKey?: string;
  /** X-Lock-Token: the token of the freeze of the namespace written to. */
  readonly lockToken?: number;
  /** X-Fencing-Token `<lock>:<token>`: refuse the write once that lock was granted a higher token. */
  readonly fencing?: { readonly lock: string; readonly token: number };
}
