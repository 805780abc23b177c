import { StoreRequestError } from '@app/client';

/** The error a promise rejects with (fails when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<any> {
  return promise.then((value) => { throw new Error(`expected a failure, got ${JSON.stringify(value)}`); }, (error) => error);
}

/** The SDK call is refused with this status and code (and these extra members in the problem document); answers the error. */
export async function expectRefused(
  call: Promise<unknown>,
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
): Promise<StoreRequestError> {
  const error = await failure(call);
  expect(error).toBeInstanceOf(StoreRequestError);
  expect({ status: error.status, code: error.code }).toEqual({ status, code });
  expect(error.problem).toMatchObject({ status, ...extra });
  return error;
}

/** A raw HTTP answer that is an RFC 9457 problem with this status and code (and these extra members). */
export function expectProblem(
  reply: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
): void {
  expect({ status: reply.status, contentType: reply.headers.get('content-type')?.split(';')[0], code: reply.body?.code }).toEqual({
    status,
    contentType: 'application/problem+json',
    code,
  });
  expect(reply.body).toMatchObject({ status, ...extra });
}

/** Polls until `done` answers true, at most `tries` times `everyMs`; answers whether it did. */
export async function eventually(done: () => Promise<boolean>, tries = 100, everyMs = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}
