import { ERROR_CODES, StoreError } from '@app/store';
import { status } from '@grpc/grpc-js';
import { PROBLEM_CODES } from '../http/problem';
import { GRPC_STATUS, PROBLEM_CODE_KEY, PROBLEM_KEY, toGrpcError } from './grpc-status';

describe('the gRPC status of each problem code', () => {
  it.each([...ERROR_CODES, ...PROBLEM_CODES])('%s has one', (code) => {
    expect(Object.values(status)).toContain(GRPC_STATUS[code]);
    expect(GRPC_STATUS[code]).not.toBe(status.OK);
  });

  it('bad input is INVALID_ARGUMENT; the store failing is never blamed on the caller', () => {
    for (const code of ['VALIDATION_FAILED', 'NAMESPACE_INVALID', 'KEY_INVALID', 'PAYLOAD_TOO_LARGE', 'TRANSACTION_TOO_LARGE', 'CURSOR_INVALID'] as const) {
      expect(GRPC_STATUS[code]).toBe(status.INVALID_ARGUMENT);
    }
    expect(GRPC_STATUS.UNAUTHORIZED).toBe(status.UNAUTHENTICATED);
    expect(GRPC_STATUS.ENTRY_NOT_FOUND).toBe(status.NOT_FOUND);
    expect(GRPC_STATUS.VERSION_CONFLICT).toBe(status.FAILED_PRECONDITION);
    expect(GRPC_STATUS.QUOTA_EXCEEDED).toBe(status.RESOURCE_EXHAUSTED);
    expect(GRPC_STATUS.INTERNAL).toBe(status.INTERNAL);
    expect(GRPC_STATUS.BACKEND_UNAVAILABLE).toBe(status.UNAVAILABLE);
  });
});

describe('toGrpcError', () => {
  it('carries the code and the problem document in the trailers', () => {
    const error = toGrpcError(new StoreError('VERSION_CONFLICT', 'key "k" is at version 2, not 1', { key: 'k', actualVersion: 2 }));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toBe('key "k" is at version 2, not 1');
    expect(error.metadata!.get(PROBLEM_CODE_KEY)).toEqual(['VERSION_CONFLICT']);
    expect(JSON.parse(String(error.metadata!.get(PROBLEM_KEY)[0]))).toMatchObject({ code: 'VERSION_CONFLICT', status: 409, actualVersion: 2 });
  });

  it('keeps the trailers printable ASCII and bounded, whatever the detail holds', () => {
    const error = toGrpcError(new StoreError('KEY_INVALID', `bad key ${'é\u0000\n😀'.repeat(5000)}`, { key: 'ключ'.repeat(5000) }));
    const json = String(error.metadata!.get(PROBLEM_KEY)[0]);
    expect(json).toMatch(/^[\x20-\x7e]+$/);
    expect(json.length).toBeLessThanOrEqual(8192);
    expect(JSON.parse(json)).toMatchObject({ code: 'KEY_INVALID', status: 400 });
  });

  it('an unexpected failure is INTERNAL and says nothing of its cause', () => {
    const error = toGrpcError(new Error('secret path /var/lib/x'));
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).not.toMatch(/secret/);
  });
});
