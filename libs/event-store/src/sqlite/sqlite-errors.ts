import { BackendUnavailableError, StorageFullError } from '../errors';

interface SqliteError extends Error {
  code?: string;
}

/** Translates driver errors the port knows about; everything else passes through unchanged. */
export function translateSqliteError(error: unknown): unknown {
  const code = (error as SqliteError)?.code ?? '';
  if (code === 'SQLITE_FULL') return new StorageFullError('the data file is full');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new BackendUnavailableError('the data file stayed locked by another process');
  }
  if (code.startsWith('SQLITE_IOERR')) return new BackendUnavailableError(`disk I/O error (${code})`);
  return error;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as SqliteError)?.code ?? '';
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
