import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min } from 'class-validator';

const TTL_DOC = 'How long the lease runs, in seconds (1 to 86400); renew before it runs out';
const TOKEN_DOC = 'The fencing token: it grows with every acquisition of the lock and is never given twice';

export class AcquireLockDto {
  @ApiProperty({ description: 'Who holds the lock (shown to others); 1-256 characters', example: 'worker-7' })
  @IsString()
  owner: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 86_400, description: TTL_DOC, example: 30 })
  @IsInt()
  @Min(1)
  @Max(86_400)
  ttlSeconds: number;
}

export class RenewLockDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The token the acquisition answered' })
  @IsInt()
  @Min(1)
  token: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 86_400, description: TTL_DOC, example: 30 })
  @IsInt()
  @Min(1)
  @Max(86_400)
  ttlSeconds: number;
}

@ApiSchema({ name: 'LockGrant' })
export class LockGrantDto {
  @ApiProperty({ description: 'The lock (a namespace freeze: `namespace/<ns>`)' }) name: string;
  @ApiProperty() owner: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: TOKEN_DOC }) token: number;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the lease runs out unless renewed' }) expiresAt: string;
}

@ApiSchema({ name: 'Lock' })
export class LockDto {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'A lease runs now' }) held: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'The holder; null when not held' }) owner: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: "The holder's token; null when not held" }) token: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the lease runs out; null when not held' })
  expiresAt: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'The highest token ever granted; 0 when never acquired' }) lastToken: number;
}
