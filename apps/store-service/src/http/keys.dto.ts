import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'KeyRotation' })
export class KeyRotationDto {
  @ApiProperty({ description: 'The id of the new data key' }) keyId: string;
  @ApiProperty({ type: String, nullable: true, description: 'The id of the key it replaces (null when the namespace had none left)' })
  previousKeyId: string | null;
  @ApiProperty({ format: 'date-time' }) rotatedAt: string;
}

@ApiSchema({ name: 'DataKeyInfo' })
export class DataKeyInfoDto {
  @ApiProperty() keyId: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

@ApiSchema({ name: 'KeyList' })
export class KeyListDto {
  @ApiProperty({ type: [DataKeyInfoDto], description: 'Oldest first; the last one seals new values' }) items: DataKeyInfoDto[];
}

@ApiSchema({ name: 'KeysShredded' })
export class KeysShreddedDto {
  @ApiProperty() namespace: string;
  @ApiProperty({ type: [String], description: 'The ids of the keys destroyed' }) keyIds: string[];
  @ApiProperty({ format: 'date-time' }) shreddedAt: string;
}
