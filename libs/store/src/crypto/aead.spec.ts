import { context, KEY_BYTES, NONCE_BYTES, nonceOf, open, seal, SealBrokenError } from './aead';
import { randomBytes } from 'node:crypto';
import { MasterKeyInvalidError, parseMasterKey } from './master-key';

describe('sealing with AES-256-GCM', () => {
  const key = randomBytes(KEY_BYTES);
  const here = context('ns', 'key', 'key-1');

  it('opens what it sealed, with the same key and context', () => {
    const box = seal(key, here, Buffer.from('secret'));
    expect(box.includes(Buffer.from('secret'))).toBe(false);
    expect(open(key, here, box).toString()).toBe('secret');
  });

  it('refuses another key, another context (a box moved to another key or namespace), altered and short bytes', () => {
    const box = seal(key, here, Buffer.from('secret'));
    expect(() => open(randomBytes(KEY_BYTES), here, box)).toThrow(SealBrokenError);
    expect(() => open(key, context('ns', 'other', 'key-1'), box)).toThrow(SealBrokenError);
    expect(() => open(key, context('other-ns', 'key', 'key-1'), box)).toThrow(SealBrokenError);
    const altered = Buffer.from(box);
    altered[NONCE_BYTES] ^= 1;
    expect(() => open(key, here, altered)).toThrow(SealBrokenError);
    expect(() => open(key, here, box.subarray(0, 20))).toThrow(SealBrokenError);
  });

  it('keeps context parts apart: ("ab", "c") is not ("a", "bc")', () => {
    expect(context('ab', 'c').equals(context('a', 'bc'))).toBe(false);
  });

  it('never repeats a nonce over a million seals under one key', () => {
    const seen = new Set<string>();
    const plaintext = Buffer.from('v');
    const seals = 1_000_000;
    for (let i = 0; i < seals; i++) seen.add(nonceOf(seal(key, here, plaintext)).toString('base64'));
    expect(seen.size).toBe(seals);
  }, 300_000);

  it('refuses keys that are not 32 bytes', () => {
    expect(() => seal(randomBytes(16), here, Buffer.from('x'))).toThrow(RangeError);
  });
});

describe('master key files', () => {
  const raw = randomBytes(32);

  it.each([
    ['raw bytes', raw],
    ['base64 with a newline', Buffer.from(`${raw.toString('base64')}\n`)],
    ['hex', Buffer.from(raw.toString('hex'))],
  ])('reads %s', (_, file) => {
    expect(parseMasterKey(file).equals(raw)).toBe(true);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['too short', randomBytes(16)],
    ['a passphrase', Buffer.from('correct horse battery staple\n')],
    ['base64 of 16 bytes', Buffer.from(randomBytes(16).toString('base64'))],
  ])('refuses %s', (_, file) => {
    expect(() => parseMasterKey(file)).toThrow(MasterKeyInvalidError);
  });
});
