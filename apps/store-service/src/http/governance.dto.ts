import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

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

export class GrantDto {
  @ApiProperty({ enum: ['read', 'write', 'admin'], description: 'write implies read; admin implies write and managing the namespace (grants, tags, quota, dependencies)' })
  @IsString()
  access: string;
}
