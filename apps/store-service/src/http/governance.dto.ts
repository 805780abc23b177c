import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class SetQuotaDto {
  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, description: 'Most live entries; null clears the limit; left out: unchanged' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  maxEntries?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, description: 'Most key and value bytes; null clears the limit; left out: unchanged' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  maxBytes?: number | null;
}

export class SetTagDto {
  @ApiProperty({ pattern: '^#[0-9a-fA-F]{6}$', description: 'The colour, "#rrggbb"', example: '#00ff88' })
  @IsString()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'color is "#rrggbb" (hex digits)' })
  color: string;
}

export class SetSchemaDto {
  @ApiProperty({
    description: 'A JSON Schema 2020-12 (an object or a boolean): at most 64 KiB and 24 levels deep; $refs only inside it ("#/…") and never recursive; '
      + 'patterns run on RE2 (no backreferences or lookaround); uniqueItems only with scalar "items"; "format" is an annotation',
    oneOf: [{ type: 'object', additionalProperties: true }, { type: 'boolean' }],
    example: { type: 'object', required: ['price'], properties: { price: { type: 'number', minimum: 0 } } },
  })
  @IsDefined({ message: 'schema is required: {"schema": {…}}' })
  schema: unknown;
}
