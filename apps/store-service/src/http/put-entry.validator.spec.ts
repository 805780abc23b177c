import { StoreError } from '@app/store';
import { validatePutEntry } from './put-entry.validator';

const refusal = (body: unknown) => {
  try {
    validatePutEntry(body);
  } catch (error) {
    if (error instanceof StoreError) return { code: error.code, field: error.details?.field, message: error.message };
    throw error;
  }
  throw new Error('accepted');
};

describe('validatePutEntry', () => {
  it('accepts every field of a put', () => {
    const body = { value: 'v', metadata: { a: 'b' }, ttlSeconds: 5, expectedVersion: 0 };
    expect(validatePutEntry(body)).toBe(body);
    expect(validatePutEntry({ valueBase64: 'AAE=' })).toEqual({ valueBase64: 'AAE=' });
  });

  it.each([
    ['a number as value', { value: 5 }, 'value'],
    ['a null value', { value: null }, 'value'],
    ['bad base64', { valueBase64: '!!!not base64' }, 'valueBase64'],
    ['a non-string metadata value', { value: 'v', metadata: { a: 1 } }, 'metadata.a'],
    ['ttlSeconds 0', { value: 'v', ttlSeconds: 0 }, 'ttlSeconds'],
    ['a fractional ttlSeconds', { value: 'v', ttlSeconds: 1.5 }, 'ttlSeconds'],
    ['a negative expectedVersion', { value: 'v', expectedVersion: -1 }, 'expectedVersion'],
    ['an unknown field', { value: 'v', colour: 'red' }, 'colour'],
    ['an array body', [], ''],
  ])('refuses %s with VALIDATION_FAILED naming the field', (_name, body, field) => {
    expect(refusal(body)).toMatchObject({ code: 'VALIDATION_FAILED', field });
  });

  it('says what is wrong', () => {
    expect(refusal({ value: 'v', ttlSeconds: 0 }).message).toBe('ttlSeconds must be >= 1');
    expect(refusal({ value: 'v', colour: 'red' }).message).toBe('property colour should not exist');
  });
});
