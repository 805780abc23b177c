/** Who asks and why, as the transport saw it; every command and query carries one. */
export interface RequestMeta {
  readonly actor: string;
  readonly correlationId: string;
  /** Id of the request that caused this command. */
  readonly causationId: string;
  readonly idempotencyKey?: string;
}
