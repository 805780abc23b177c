import { StoreError } from '@app/store';
import Ajv, { ErrorObject } from 'ajv';
import { EntryValueDto } from './entry.dto';

/**
 * The PutEntry body, checked by one compiled JSON Schema: the hot path of the service, where
 * class-validator and class-transformer cost more than the rest of the request. Same rules and the
 * same VALIDATION_FAILED answers as the DTO (which stays for the OpenAPI document).
 */
const PUT_ENTRY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    value: { type: 'string' },
    valueBase64: { type: 'string', pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$' },
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
    ttlSeconds: { type: 'integer', minimum: 1 },
    expectedVersion: { type: 'integer', minimum: 0 },
  },
} as const;

const check = new Ajv({ allErrors: false, strict: true }).compile<EntryValueDto>(PUT_ENTRY_SCHEMA);

export function validatePutEntry(body: unknown): EntryValueDto {
  if (check(body)) return body;
  const error = check.errors![0];
  const field = fieldOf(error);
  const problem = error.keyword === 'additionalProperties' ? `property ${field} should not exist` : `${field || 'body'} ${error.message}`;
  throw new StoreError('VALIDATION_FAILED', problem, { field, errors: [problem] });
}

function fieldOf(error: ErrorObject): string {
  const path = error.instancePath.slice(1).replaceAll('/', '.');
  if (error.keyword !== 'additionalProperties') return path;
  const extra = String((error.params as { additionalProperty: string }).additionalProperty);
  return path ? `${path}.${extra}` : extra;
}
