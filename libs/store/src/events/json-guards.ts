/** Cheap shape checks for decoded JSON: typeof and little else, since they run for every event of a rebuild. */
export type Json = { readonly [field: string]: unknown };

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
export const isString = (value: unknown): value is string => typeof value === 'string';
export const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
export const isNullableNumber = (value: unknown): value is number | null => value === null || isNumber(value);
export const isNullableString = (value: unknown): value is string | null => value === null || typeof value === 'string';
export const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

export function isStringRecord(value: unknown): value is Record<string, string> {
  if (!isObject(value)) return false;
  for (const field in value) if (typeof value[field] !== 'string') return false;
  return true;
}
