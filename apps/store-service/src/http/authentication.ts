import { ApiKeys, Identity, StoreError } from '@app/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AuthConfig, ConfigError } from '../config/config';
import { isAdminUiRoute } from './admin-ui';

/** The caller while authentication is off. */
export const ANONYMOUS: Identity = { user: 'anonymous', roles: [] };

/**
 * The only calls answered without a credential: the probes of an orchestrator, and the admin
 * page's static files (they hold no data: the page's own API calls carry the token).
 */
export const isPublicRoute = (route: string | undefined): boolean => route !== undefined && (route.startsWith('/health/') || isAdminUiRoute(route));

type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** A key JWTs are verified with, pinned to the one algorithm it is for. */
export interface JwtKey {
  readonly algorithm: JwtAlgorithm;
  readonly key: CryptoKey | Uint8Array;
}

/** The smallest HS256 secret accepted: as many bytes as the hash (RFC 7518 §3.2). */
const MIN_SECRET_BYTES = 32;

/** Reads the JWT keys the configuration names; a file that holds no usable key stops the start with one line (never its content). */
export async function loadJwtKeys(auth: AuthConfig): Promise<JwtKey[]> {
  const keys: JwtKey[] = [];
  if (auth.jwtSecretFile !== undefined) {
    const secret = readFileSync(auth.jwtSecretFile);
    const trimmed = secret.subarray(0, secret.length - (secret.toString('latin1').match(/\r?\n$/)?.[0].length ?? 0));
    if (trimmed.length < MIN_SECRET_BYTES) {
      throw new ConfigError(`invalid configuration: STORE_JWT_SECRET_FILE ${auth.jwtSecretFile} holds ${trimmed.length} bytes; an HS256 secret needs at least ${MIN_SECRET_BYTES}`);
    }
    keys.push({ algorithm: 'HS256', key: new Uint8Array(trimmed) });
  }
  if (auth.jwtPublicKeyFile !== undefined) {
    const refuse = (why: string) => new ConfigError(`invalid configuration: STORE_JWT_PUBLIC_KEY_FILE ${auth.jwtPublicKeyFile} ${why}`);
    const pem = readFileSync(auth.jwtPublicKeyFile, 'utf8');
    let algorithm: JwtAlgorithm;
    try {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType === 'rsa') algorithm = 'RS256';
      else if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') algorithm = 'ES256';
      else throw refuse(`holds a key of type ${key.asymmetricKeyType}; RS256 needs an RSA key, ES256 a P-256 key`);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw refuse('is not a PEM public key (-----BEGIN PUBLIC KEY-----)');
    }
    const spki = createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
    keys.push({ algorithm, key: await importSPKI(spki, algorithm) });
  }
  return keys;
}

const unauthorized = (detail: string) => new StoreError('UNAUTHORIZED', detail);

/** `Authorization: Bearer <credential>`: an API key `<id>.<secret>`, or a JWT (three dot-separated parts). */
export class Authenticator {
  private readonly algorithms: JwtAlgorithm[];

  constructor(
    private readonly auth: Pick<AuthConfig, 'mode' | 'jwtIssuer' | 'jwtAudience'>,
    private readonly apiKeys: ApiKeys,
    private readonly jwtKeys: readonly JwtKey[],
  ) {
    this.algorithms = jwtKeys.map((k) => k.algorithm);
  }

  get enabled(): boolean {
    return this.auth.mode === 'on';
  }

  /** The caller the header proves, or UNAUTHORIZED. Details never repeat the credential. */
  async authenticate(header: string | undefined): Promise<Identity> {
    if (header === undefined || header === '') throw unauthorized('this call needs an Authorization: Bearer credential (an API key or a JWT)');
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
    if (!match) throw unauthorized('the Authorization header is not "Bearer <credential>"');
    const parts = match[1].split('.');
    if (parts.length === 2) return this.apiKey(parts[0], parts[1]);
    if (parts.length === 3) return this.jwt(match[1]);
    throw unauthorized('the credential is neither an API key (<id>.<secret>) nor a JWT');
  }

  private apiKey(id: string, secret: string): Identity {
    const identity = this.apiKeys.verify(id, secret);
    if (identity === undefined) throw unauthorized('the API key is not valid');
    return identity;
  }

  private async jwt(token: string): Promise<Identity> {
    if (this.jwtKeys.length === 0) throw unauthorized('JWTs are not accepted here (no STORE_JWT_SECRET_FILE or STORE_JWT_PUBLIC_KEY_FILE)');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, async (header) => {
        const pinned = this.jwtKeys.find((k) => k.algorithm === header.alg);
        if (pinned === undefined) throw new Error('algorithm not accepted');
        return pinned.key;
      }, {
        algorithms: this.algorithms,
        issuer: this.auth.jwtIssuer,
        audience: this.auth.jwtAudience,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw unauthorized(`the JWT is not valid: ${jwtProblem(error)}`);
    }
    const roles = payload.roles ?? [];
    if (typeof payload.sub !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(payload.sub)) throw unauthorized('the JWT is not valid: sub is not a user name (1-128 visible ASCII characters)');
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && /^[\x21-\x7e]{1,128}$/.test(r))) {
      throw unauthorized('the JWT is not valid: roles is not a list of role names');
    }
    return { user: payload.sub, roles };
  }
}

/** Why jose refused a token, in words that never quote it. */
function jwtProblem(error: unknown): string {
  const code = (error as { code?: string }).code;
  const claim = (error as { claim?: string }).claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED': return 'it has expired (exp)';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': return claim === 'nbf' ? 'it is not valid yet (nbf)' : `its ${claim ?? 'claims'} claim is missing or not accepted`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED': return 'its algorithm is not accepted';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': return 'its signature does not verify';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID': return 'it is malformed';
    default: return 'it does not verify';
  }
}

const identities = new WeakMap<object, Identity>();

/** Who the request proved to be (anonymous while authentication is off, or before it ran). */
export const identityOf = (request: FastifyRequest): Identity => identities.get(request.raw) ?? ANONYMOUS;

/** The caller whose access is checked: the proved identity, or undefined while authentication is off (nothing is checked then). */
export const callerOf = (request: FastifyRequest): Identity | undefined => identities.get(request.raw);

/** With authentication on, every request but /health/* must prove who it is before any handler runs. */
export function authenticateRequests(fastify: FastifyInstance, authenticator: Authenticator): void {
  if (!authenticator.enabled) return;
  fastify.addHook('onRequest', async (request) => {
    if (isPublicRoute(request.routeOptions.url)) return;
    const header = request.headers.authorization;
    identities.set(request.raw, await authenticator.authenticate(Array.isArray(header) ? header[0] : header));
  });
}
