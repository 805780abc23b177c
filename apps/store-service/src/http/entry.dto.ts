import { invalid, PutOp } from '@app/store';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsInt, IsObject, IsOptional, IsString, Min, ValidateIf } from 'class-validator';
import { OptionalNotNull } from './validation';

export class EntryValueDto {
  @ApiPropertyOptional({ description: 'The value as UTF-8 text (exactly one of value / valueBase64)' })
  @OptionalNotNull()
  @IsString()
  value?: string;

  @ApiPropertyOptional({ description: 'The value as base64 bytes (exactly one of value / valueBase64)' })
  @OptionalNotNull()
  @IsBase64()
  valueBase64?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'At most 64 string pairs' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, string>;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Seconds until the entry expires (at most 10 years); omitted: it does not expire' })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  ttlSeconds?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: '0: the key must not exist; n: its current version must be n' })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  expectedVersion?: number;
}

export class PutEntryDto extends EntryValueDto {}

/** The body's value as bytes; exactly one of the two forms must be given. */
export function toPutOp(key: string, body: EntryValueDto): PutOp {
  const forms = Number(body.value !== undefined) + Number(body.valueBase64 !== undefined);
  if (forms !== 1) throw invalid('give exactly one of value and valueBase64', { key });
  if (body.value !== undefined && !body.value.isWellFormed()) {
    throw invalid('value must be well-formed Unicode text; send other bytes as valueBase64', { key, field: 'value' });
  }
  const value = body.value !== undefined ? Buffer.from(body.value, 'utf8') : Buffer.from(body.valueBase64!, 'base64');
  return {
    op: 'put',
    key,
    value,
    metadata: body.metadata ?? undefined,
    ttlSeconds: body.ttlSeconds,
    expectedVersion: body.expectedVersion,
  };
}

export class SetTtlDto {
  @ApiProperty({ type: 'integer', nullable: true, description: 'Seconds from now until the entry expires (1 … 10 years); null clears the expiry' })
  @ValidateIf((body: SetTtlDto) => body.ttlSeconds !== null)
  @IsInt()
  ttlSeconds: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'The entry must be at this version' })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  expectedVersion?: number;
}
