import { Command } from 'commander';
import type { Access } from '@app/client';
import { CommandEnv } from './command-env';
import { fields, table } from './output';
import { UsageError } from './inputs';

const ACCESS: readonly string[] = ['read', 'write', 'admin'];

const access = (text: string): Access => {
  if (!ACCESS.includes(text)) throw new UsageError(`access is read, write or admin (got ${JSON.stringify(text)})`);
  return text as Access;
};

/** grant, revoke, grants, whoami: who may do what on a namespace. */
export function addAccessCommands(program: Command, env: () => CommandEnv): void {
  program
    .command('grant')
    .description('give a subject (user:<name> or role:<name>) read, write or admin access to a namespace (needs namespace admin)')
    .argument('<namespace>')
    .argument('<subject>', 'user:<name> or role:<name>')
    .argument('<access>', 'read, write or admin', access)
    .action(async (namespace: string, subject: string, level: Access) => {
      const { client, out } = env();
      const grant = await client.grant(namespace, subject, level);
      out.result(grant, () => `granted ${grant.access} on ${grant.namespace} to ${grant.subject}`);
    });

  program
    .command('revoke')
    .description('take a subject\'s grant on a namespace away (needs namespace admin)')
    .argument('<namespace>')
    .argument('<subject>', 'user:<name> or role:<name>')
    .action(async (namespace: string, subject: string) => {
      const { client, out } = env();
      await client.revoke(namespace, subject);
      out.result({ namespace, revoked: subject }, () => `revoked the grant of ${subject} on ${namespace}`);
    });

  program
    .command('grants')
    .description('the grants of a namespace (needs namespace admin); --check <subject> <access> asks whether a subject\'s own grant allows it')
    .argument('<namespace>')
    .option('--check <subject>', 'ask about this subject (user:<name> or role:<name>)')
    .option('--access <access>', 'with --check: the access to ask about', access, 'read')
    .action(async (namespace: string, o: { check?: string; access: Access }) => {
      const { client, out } = env();
      if (o.check !== undefined) {
        const allowed = await client.checkGrant(namespace, o.check, o.access);
        out.result({ namespace, subject: o.check, access: o.access, allowed }, () => `${o.check} ${allowed ? 'may' : 'may not'} ${o.access} ${namespace}`);
        return;
      }
      const grants = await client.listGrants(namespace);
      out.result(grants, () => (grants.length === 0 ? `no grants on ${namespace}` : table(['subject', 'access'], grants.map((g) => [g.subject, g.access]))));
    });

  program
    .command('whoami')
    .description('who the service says you are: user, roles and the namespaces your grants reach')
    .action(async () => {
      const { client, out } = env();
      const me = await client.whoami();
      out.result(me, () => fields([
        ['user', me.user], ['roles', me.roles.join(', ') || '-'],
        ['grants', me.grants.map((g) => `${g.namespace} ${g.access}`).join(', ') || '-'],
      ]));
    });
}
