import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString } from 'class-validator';

export class RollbackPointDto {
  @ApiPropertyOptional({ description: 'A stage name, 1-64 characters (e.g. "pre-deploy")' })
  @IsOptional()
  @IsString()
  stage?: string;

  @ApiPropertyOptional({ description: 'A label, 1-256 characters' })
  @IsOptional()
  @IsString()
  label?: string;
}

export class RollbackDto {
  @ApiProperty({ description: 'The rollback point to return to' })
  @IsString()
  @IsNotEmpty()
  pointId: string;
}
