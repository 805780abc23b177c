import { ACCESS_OUTCOMES } from '@app/store';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'AuditTrailItem' })
export class AuditTrailItemDto {
  @ApiProperty({ type: String, description: 'The log position of the event', example: '0190f3a2-7c1e-7b1a-9d2c-3f9c2a1b4e5d:42' }) position: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'The namespace revision of the event' }) revision: number;
  @ApiProperty({ description: 'The event type', example: 'StoreEntryUpdated' }) type: string;
  @ApiProperty({ type: String, nullable: true, description: 'The key the event is about; null for namespace events' }) key: string | null;
  @ApiProperty({ description: 'Who made the change' }) actor: string;
  @ApiProperty() correlationId: string;
  @ApiProperty({ description: 'The request that made the event' }) causationId: string;
  @ApiProperty({ type: String, format: 'date-time' }) timestamp: string;
}

@ApiSchema({ name: 'AuditTrailPage' })
export class AuditTrailPageDto {
  @ApiProperty({ type: [AuditTrailItemDto], description: 'Oldest first' }) items: AuditTrailItemDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

@ApiSchema({ name: 'AccessAuditItem' })
export class AccessAuditItemDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The record\'s sequence number' }) id: number;
  @ApiProperty({ type: String, nullable: true, description: 'The authenticated user; null when the call proved no identity (401)' }) actor: string | null;
  @ApiProperty({ description: 'The method and route called', example: 'PUT /v1/namespaces/:ns/entries/*' }) operation: string;
  @ApiProperty({ type: String, nullable: true }) namespace: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The key the call named, for entry calls' }) key: string | null;
  @ApiProperty({ enum: ACCESS_OUTCOMES, description: 'allowed (2xx), denied (401/403), rejected (other 4xx), limited (429), failed (5xx or cut)' }) outcome: string;
  @ApiProperty({ type: 'integer', description: 'The HTTP status answered' }) status: number;
  @ApiProperty() requestId: string;
  @ApiProperty({ type: String, format: 'date-time' }) time: string;
}

@ApiSchema({ name: 'AccessAuditPage' })
export class AccessAuditPageDto {
  @ApiProperty({ type: [AccessAuditItemDto], description: 'Newest first' }) items: AccessAuditItemDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
