import { KEY_BYTES } from './aead';

export class MasterKeyInvalidError extends Error {}

/**
 * A master key file holds 32 random bytes: raw, or written as base64 (`openssl rand -base64 32`)
 * or hex (`openssl rand -hex 32`), with or without a trailing newline.
 */
export function parseMasterKey(file: Buffer): Buffer {
  if (file.length === KEY_BYTES) return Buffer.from(file);
  const text = file.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return Buffer.from(text, 'base64');
  throw new MasterKeyInvalidError(
    `holds ${file.length} bytes: a master key is 32 random bytes, raw, base64 or hex (make one with: openssl rand -base64 32)`,
  );
}
