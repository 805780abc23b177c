import { EntryOp, invalid, StoreError } from '@app/store';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsIn, IsString, ValidateNested } from 'class-validator';
import { EntryValueDto, toPutOp } from './entry.dto';

export class TransactionOpDto extends EntryValueDto {
  @ApiProperty({ enum: ['put', 'delete'] })
  @IsIn(['put', 'delete'])
  op: 'put' | 'delete';

  @ApiProperty()
  @IsString()
  key: string;
}

export class TransactionDto {
  @ApiProperty({ type: [TransactionOpDto], description: 'All or nothing, one append; at most 128 ops by default' })
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => TransactionOpDto)
  ops: TransactionOpDto[];
}

export function toEntryOps(body: TransactionDto): EntryOp[] {
  return body.ops.map((op, opIndex) => {
    try {
      return toEntryOp(op);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      throw new StoreError(error.code, `op ${opIndex}: ${error.message}`, { ...error.details, opIndex });
    }
  });
}

function toEntryOp(op: TransactionOpDto): EntryOp {
  if (op.op === 'put') return toPutOp(op.key, op);
  if (op.value !== undefined || op.valueBase64 !== undefined || op.metadata !== undefined || op.ttlSeconds !== undefined) {
    throw invalid('a delete takes only key and expectedVersion', { key: op.key });
  }
  return { op: 'delete', key: op.key, expectedVersion: op.expectedVersion };
}
