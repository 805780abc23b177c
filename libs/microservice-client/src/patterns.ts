/** The message patterns HexaStore answers on its NestJS microservice transport (TCP). */
export const STORE_PATTERNS = {
  put: 'hexastore.put',
  get: 'hexastore.get',
  list: 'hexastore.list',
  txn: 'hexastore.txn',
  delete: 'hexastore.delete',
} as const;

/** What any message may carry beside its own fields: who calls, and why. */
export interface CallerFields {
  /** The bearer credential (an API key `<id>.<secret>` or a JWT), as in `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly correlationId?: string;
  /** A retry with the same key is answered as the first call was, and writes nothing more. */
  readonly idempotencyKey?: string;
}
