import { StoreError } from './errors';

export const NAMESPACE_PATTERN = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/;
// C0, DEL and C1 control characters.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

export function validateNamespace(name: string): string {
  if (!NAMESPACE_PATTERN.test(name)) {
    throw new StoreError(
      'NAMESPACE_INVALID',
      'a namespace is 1-64 characters of a-z, 0-9, ".", "_", "-", starting and ending with a letter or digit',
      { namespace: name.slice(0, 100) },
    );
  }
  return name;
}

export function validateKey(key: string, maxKeyBytes: number): string {
  const bytes = Buffer.byteLength(key, 'utf8');
  const problem =
    bytes === 0 ? 'a key must not be empty'
    : bytes > maxKeyBytes ? `a key is at most ${maxKeyBytes} bytes of UTF-8 (got ${bytes})`
    : !key.isWellFormed() ? 'a key must be well-formed Unicode'
    : CONTROL_RE.test(key) ? 'a key must not contain control characters'
    : undefined;
  if (problem) throw new StoreError('KEY_INVALID', problem, { key: key.slice(0, 100) });
  return key;
}

/** The smallest string above every string that starts with `prefix` (code point order = UTF-8 byte order). */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** Orders keys as the read models do: by code point, which is UTF-8 byte order (not UTF-16 order). */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xSurrogate = (x & 0xf800) === 0xd800;
      const ySurrogate = (y & 0xf800) === 0xd800;
      return xSurrogate === ySurrogate ? x - y : xSurrogate ? 1 : -1;
    }
  }
  return a.length - b.length;
}
