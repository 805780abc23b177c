import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CURSOR_SECRET_MIN_BYTES, PageCursors } from '../shared/page';

/** The file, in the store's data directory, that holds the secret page cursors are signed with. */
export const CURSOR_SECRET_FILE = 'cursor-secret';

/**
 * Reads the cursor secret from `file`, creating it (32 random bytes, hex, mode 0600) on first use.
 * Creation is atomic — written aside, then hard-linked into place — so processes that start
 * together on one data directory agree on one secret.
 */
export function loadCursorSecret(file: string): Buffer {
  try {
    return parseSecret(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const aside = join(dirname(file), `.${CURSOR_SECRET_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(aside, `${randomBytes(CURSOR_SECRET_MIN_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(aside);
  }
  return parseSecret(readFileSync(file, 'utf8'), file);
}

function parseSecret(text: string, file: string): Buffer {
  const secret = Buffer.from(text.trim(), 'utf8');
  if (secret.length < CURSOR_SECRET_MIN_BYTES) {
    throw Object.assign(new Error(`the cursor secret ${file} holds fewer than ${CURSOR_SECRET_MIN_BYTES} bytes`), { code: 'CURSOR_SECRET_SHORT' });
  }
  return secret;
}

/** Page cursors signed with the secret in `file`. */
export const openPageCursors = (file: string) => new PageCursors(loadCursorSecret(file));
