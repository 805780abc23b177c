import { DataFileReport, verifyDataFile } from '@app/event-store';

/** Loaded only by `verify`: the check needs the SQLite driver, the other commands do not. */
export const verifyOffline = (file: string): DataFileReport => verifyDataFile(file);
