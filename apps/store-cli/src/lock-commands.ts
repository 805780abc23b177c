import type { Lock, LockGrant } from '@app/client';
import { Command, InvalidArgumentError } from 'commander';
import { CommandEnv } from './command-env';
import { wholeNumber } from './inputs';
import { fields } from './output';

const grantText = (g: LockGrant) => fields([['name', g.name], ['owner', g.owner], ['token', g.token], ['expiresAt', g.expiresAt]]);
const lockText = (l: Lock) => fields([
  ['name', l.name], ['held', l.held ? 'yes' : 'no'], ['owner', l.owner ?? '-'], ['token', l.token ?? '-'],
  ['expiresAt', l.expiresAt ?? '-'], ['lastToken', l.lastToken],
]);

/** A fencing token: up to 16 digits (the clock in microseconds), so not wholeNumber's 15. */
export function token(text: string): number {
  if (!/^[1-9]\d{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) throw new InvalidArgumentError('the token is the whole number acquire printed');
  return Number(text);
}

/** `--fencing-token <lock>:<token>`. */
export function fencingToken(text: string): { lock: string; token: number } {
  const at = text.lastIndexOf(':');
  if (at <= 0) throw new InvalidArgumentError('--fencing-token is <lock>:<token>');
  return { lock: text.slice(0, at), token: token(text.slice(at + 1)) };
}

/** The lock options of a write: --lock-token (a frozen namespace) and --fencing-token. */
export const LOCK_TOKEN_OPTION = ['--lock-token <token>', "the token of the namespace's freeze (X-Lock-Token)", token] as const;
export const FENCING_TOKEN_OPTION = [
  '--fencing-token <lock:token>', 'refused with FENCED once that lock was granted a higher token (X-Fencing-Token)', fencingToken,
] as const;

interface LockTarget {
  acquire(name: string, owner: string | undefined, ttlSeconds: number): Promise<LockGrant>;
  renew(name: string, token: number, ttlSeconds: number): Promise<LockGrant>;
  release(name: string, token: number): Promise<void>;
  get(name: string): Promise<Lock>;
}

/** acquire | renew | release | get, on named locks (`lock`) or on a namespace's freeze (`freeze`). */
function addLeaseCommands(parent: Command, what: string, target: (env: CommandEnv) => LockTarget, env: () => CommandEnv): void {
  parent
    .command('acquire')
    .description(`acquire ${what}: prints the lease and its fencing token; 409 LOCK_HELD while another holds it`)
    .argument('<name>')
    .requiredOption('--ttl <seconds>', 'how long the lease runs (1-86400)', wholeNumber('--ttl', 1))
    .option('--owner <owner>', 'who holds it (default: a random id)')
    .action(async (name: string, o: { ttl: number; owner?: string }) => {
      const e = env();
      const grant = await target(e).acquire(name, o.owner, o.ttl);
      e.out.result(grant, () => grantText(grant));
    });
  parent
    .command('renew')
    .description(`renew ${what}: the lease runs --ttl seconds from now`)
    .argument('<name>')
    .argument('<token>', 'the token acquire printed', token)
    .requiredOption('--ttl <seconds>', 'how long the lease runs (1-86400)', wholeNumber('--ttl', 1))
    .action(async (name: string, lockToken: number, o: { ttl: number }) => {
      const e = env();
      const grant = await target(e).renew(name, lockToken, o.ttl);
      e.out.result(grant, () => grantText(grant));
    });
  parent
    .command('release')
    .description(`release ${what}`)
    .argument('<name>')
    .argument('<token>', 'the token acquire printed', token)
    .action(async (name: string, lockToken: number) => {
      const e = env();
      await target(e).release(name, lockToken);
      e.out.result({ released: name, token: lockToken }, () => `released ${name}`);
    });
  parent
    .command('get')
    .description(`show ${what}: held or not, holder, token and expiry`)
    .argument('<name>')
    .action(async (name: string) => {
      const e = env();
      const lock = await target(e).get(name);
      e.out.result(lock, () => lockText(lock));
    });
}

export function addLockCommands(program: Command, env: () => CommandEnv): void {
  const lock = program.command('lock').description('named leases with fencing tokens: acquire, renew, release, get');
  addLeaseCommands(lock, 'a lock', ({ client }) => ({
    acquire: (name, owner, ttlSeconds) => client.acquireLock(name, { owner, ttlSeconds }),
    renew: (name, token, ttl) => client.renewLock(name, token, ttl),
    release: (name, token) => client.releaseLock(name, token),
    get: (name) => client.getLock(name),
  }), env);
  const freeze = program
    .command('freeze')
    .description("a namespace's freeze: while held, writes without its token (X-Lock-Token) are refused with 423 LOCKED");
  addLeaseCommands(freeze, "a namespace's freeze", ({ client }) => ({
    acquire: (ns, owner, ttlSeconds) => client.freezeNamespace(ns, { owner, ttlSeconds }),
    renew: (ns, token, ttl) => client.renewFreeze(ns, token, ttl),
    release: (ns, token) => client.unfreezeNamespace(ns, token),
    get: (ns) => client.getFreeze(ns),
  }), env);
}
