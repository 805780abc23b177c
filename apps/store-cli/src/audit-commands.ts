import type { AccessOutcome } from '@app/client';
import { Command } from 'commander';
import { CommandEnv } from './command-env';
import { UsageError, wholeNumber } from './inputs';
import { table } from './output';

const OUTCOMES: readonly AccessOutcome[] = ['allowed', 'denied', 'rejected', 'limited', 'failed'];

const outcome = (text: string): AccessOutcome => {
  if (!(OUTCOMES as readonly string[]).includes(text)) throw new UsageError(`--outcome is one of ${OUTCOMES.join(', ')} (got ${JSON.stringify(text)})`);
  return text as AccessOutcome;
};

const more = (rows: string, cursor: string | null) => (cursor ? `${rows}\nmore: --cursor ${cursor}` : rows);

/** audit, access-audit: who did what to a namespace (from the log), and every call on it (the access audit). */
export function addAuditCommands(program: Command, env: () => CommandEnv): void {
  program
    .command('audit')
    .description('the audit trail of a namespace from the log: each event with who made it and when, oldest first')
    .argument('<namespace>')
    .option('--actor <user>', 'only events made by this user')
    .option('--type <type>', 'only events of this type, e.g. StoreEntryDeleted')
    .option('--from <time>', 'only events at or after this time (ISO 8601)')
    .option('--to <time>', 'only events before this time (ISO 8601)')
    .option('-l, --limit <n>', 'at most this many events (1-1000, default 100)', wholeNumber('--limit', 1))
    .option('--cursor <cursor>', 'continue after the page that gave this cursor')
    .action(async (namespace: string, o) => {
      const { client, out } = env();
      const page = await client.auditTrailPage(namespace, { actor: o.actor, type: o.type, from: o.from, to: o.to, limit: o.limit, cursor: o.cursor });
      out.result(page, () => more(table(['revision', 'time', 'type', 'key', 'actor', 'correlation'],
        page.items.map((i) => [i.revision, i.timestamp, i.type, i.key, i.actor, i.correlationId])), page.nextCursor));
    });

  program
    .command('access-audit')
    .description('the access audit of a namespace: every call on it and what came of it, newest first (namespace admins)')
    .argument('<namespace>')
    .option('--actor <user>', 'only calls by this user')
    .option('--outcome <outcome>', `only calls with this outcome: ${OUTCOMES.join(', ')}`, outcome)
    .option('-l, --limit <n>', 'at most this many calls (1-1000, default 100)', wholeNumber('--limit', 1))
    .option('--cursor <cursor>', 'continue after the page that gave this cursor')
    .action(async (namespace: string, o) => {
      const { client, out } = env();
      const page = await client.accessAuditPage(namespace, { actor: o.actor, outcome: o.outcome, limit: o.limit, cursor: o.cursor });
      out.result(page, () => more(table(['time', 'actor', 'operation', 'key', 'outcome', 'status', 'request'],
        page.items.map((i) => [i.time, i.actor ?? '-', i.operation, i.key, i.outcome, i.status, i.requestId])), page.nextCursor));
    });
}
