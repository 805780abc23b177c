import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';

/** An API key as the config file declares it: the SHA-256 of its secret, never the secret. */
export interface ApiKeyDeclaration {
  readonly id: string;
  /** Hex SHA-256 of the secret. */
  readonly sha256: string;
  readonly user: string;
  readonly roles: readonly string[];
}

/** Who a credential says the caller is. */
export interface Identity {
  readonly user: string;
  readonly roles: readonly string[];
}

/** An API key id: letters, digits, `_` and `-` (no `.`: it separates the id from the secret). */
export const API_KEY_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** A digest no declared key has: compared against when the id is unknown, so both paths do the same work. */
const NO_KEY = Buffer.alloc(32);

/**
 * The API keys of the config file in force, replaced as a whole by each successful HotReload
 * (at start, SIGHUP, POST /v1/admin/reload); a refused reload leaves the keys as they were.
 */
@Injectable()
export class ApiKeys {
  private keys = new Map<string, { digest: Buffer; identity: Identity }>();

  replace(declared: readonly ApiKeyDeclaration[]): void {
    this.keys = new Map(declared.map((key) => [key.id, {
      digest: Buffer.from(key.sha256, 'hex'),
      identity: { user: key.user, roles: [...key.roles] },
    }]));
  }

  get size(): number {
    return this.keys.size;
  }

  /** The identity of the key `id` when `secret` is its secret: digests compared in constant time. */
  verify(id: string, secret: string): Identity | undefined {
    const key = this.keys.get(id);
    const given = createHash('sha256').update(secret, 'utf8').digest();
    const match = timingSafeEqual(given, key?.digest ?? NO_KEY);
    return key !== undefined && match ? key.identity : undefined;
  }
}
