export interface StoreLimits {
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  readonly maxMetadataPairs: number;
  readonly maxMetadataKeyBytes: number;
  readonly maxMetadataValueBytes: number;
  readonly maxTransactionOps: number;
  /** Sum of the values of one transaction. */
  readonly maxTransactionBytes: number;
  readonly maxTtlSeconds: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: StoreLimits = {
  maxKeyBytes: 1024,
  maxValueBytes: MiB,
  maxMetadataPairs: 64,
  maxMetadataKeyBytes: 128,
  maxMetadataValueBytes: 1024,
  maxTransactionOps: 128,
  maxTransactionBytes: 4 * MiB,
  maxTtlSeconds: 10 * 365 * 24 * 3600,
};
