import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM as node:crypto gives it: 32-byte keys, 96-bit nonces, 128-bit tags. */
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** A sealed box that does not open: wrong key, wrong context (AAD), or altered bytes. GCM cannot tell which. */
export class SealBrokenError extends Error {
  constructor(what: string) {
    super(`${what} does not open with this key and context: wrong key, or altered bytes`);
  }
}

/**
 * Seals `plaintext` under `key`, bound to `context` (the AAD: a box sealed for one context does not
 * open for another). The nonce is 96 random bits, drawn afresh for every seal: two seals under one
 * key share a nonce with probability about n²/2⁹⁷ after n seals, so one key stays well below NIST's
 * bound for random nonces (2³² seals) as long as it is rotated before then.
 * Returns nonce ‖ ciphertext ‖ tag.
 */
export function seal(key: Buffer, context: Buffer, plaintext: Buffer): Buffer {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(context);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Opens what `seal` made with the same key and context; throws SealBrokenError otherwise. */
export function open(key: Buffer, context: Buffer, box: Buffer, what = 'a sealed value'): Buffer {
  checkKey(key);
  if (box.length < NONCE_BYTES + TAG_BYTES) throw new SealBrokenError(what);
  const nonce = box.subarray(0, NONCE_BYTES);
  const tag = box.subarray(box.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(context);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(box.subarray(NONCE_BYTES, box.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealBrokenError(what);
  }
}

/** The nonce a box was sealed with (for tests of nonce uniqueness). */
export const nonceOf = (box: Buffer): Buffer => box.subarray(0, NONCE_BYTES);

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`an AES-256 key is ${KEY_BYTES} bytes, not ${key.length}`);
}

/** An AAD from parts that cannot run into each other: each is length-prefixed. */
export function context(...parts: string[]): Buffer {
  return Buffer.concat(parts.flatMap((part) => {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return [length, bytes];
  }));
}
