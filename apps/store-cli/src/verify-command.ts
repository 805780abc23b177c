import type { DataFileReport } from '@app/event-store';
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CommandEnv } from './command-env';
import { UsageError } from './inputs';
import { fields } from './output';
import type * as Offline from './verify-offline';

/** The data file of the sqlite backend in a data dir. */
const DATA_FILE = 'hexastore.db';

/** `verify` found damage: the report is printed, the exit code is 1. */
export class DamageFound extends Error {}

/** verify: the full offline check of a data dir (meant for a stopped service, or a copy of its file). */
export function addVerifyCommand(program: Command, env: () => CommandEnv): void {
  program
    .command('verify')
    .description('check a data dir offline: SQLite\'s integrity_check, the file\'s identity, and every event against its checksum (exit 1 on damage)')
    .requiredOption('-d, --data-dir <dir>', 'the data dir to check (meant for a stopped service)')
    .action((o: { dataDir: string }) => {
      const { out } = env();
      const file = join(o.dataDir, DATA_FILE);
      if (!existsSync(file)) throw new UsageError(`there is no store in ${o.dataDir} (no ${DATA_FILE})`);
      const report = (require('./verify-offline') as typeof Offline).verifyOffline(file);
      out.result(report, () => summary(report));
      if (!report.ok) throw new DamageFound(`${file} is damaged: ${report.problems.join('; ')}`);
    });
}

function summary(report: DataFileReport): string {
  const lines = [fields([
    ['file', report.file],
    ['integrity_check', report.integrity.join('; ') || 'not run'],
    ['events', String(report.events)],
    ['head position', String(report.head)],
    ['checksums', report.damagedEvents.length === 0 ? `ok (${report.events - report.unverified} verified, ${report.unverified} without one)` : `${report.damagedEvents.length} damaged`],
    ['result', report.ok ? 'ok' : 'DAMAGED'],
  ])];
  for (const e of report.damagedEvents) lines.push(`damaged event ${e.id}: stream ${e.stream}, revision ${e.revision}, position ${e.position}`);
  for (const problem of report.problems) lines.push(`problem: ${problem}`);
  return lines.join('\n');
}
