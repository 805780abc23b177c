/**
 * The answers of the v1 API as OpenAPI schemas. These classes describe the JSON the store sends
 * (libs/store's views, mirrored by libs/client's wire types); nothing constructs them.
 */
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { PROBLEM_CODES } from './problem';

const POSITION = 'A log position `<incarnation>:<n>`: opaque, ordered; the change-feed cursor and the `minPosition` of read-your-writes';
const Integer = (description: string, extra: { minimum?: number } = {}) => ApiProperty({ type: 'integer', description, ...extra });
const Timestamp = (description: string) => ApiProperty({ type: String, format: 'date-time', description });
const NullableTimestamp = (description: string) => ApiProperty({ type: String, format: 'date-time', nullable: true, description });
const Position = (description = POSITION) => ApiProperty({ type: String, description, example: '0190f3a2-7c1e-7b1a-9d2c-3f9c2a1b4e5d:42' });
const Metadata = (optional = false) =>
  (optional ? ApiPropertyOptional : ApiProperty)({ type: 'object', additionalProperties: { type: 'string' }, description: 'String pairs (at most 64)' });

@ApiSchema({ name: 'Entry' })
export class EntryDto {
  @ApiProperty() namespace: string;
  @ApiProperty({ description: 'The key: 1-1024 bytes of UTF-8, "/" allowed' }) key: string;
  @ApiPropertyOptional({ description: 'The value, when its bytes are valid UTF-8 (else valueBase64)' }) value?: string;
  @ApiPropertyOptional({ format: 'byte', description: 'The value as base64, when its bytes are not valid UTF-8' }) valueBase64?: string;
  @Metadata() metadata: Record<string, string>;
  @Integer('1 at creation, +1 per change (a TTL change and a restore count as one), back to 1 when a deleted or expired key is created again', { minimum: 1 })
  version: number;
  @Integer('The namespace revision of the entry\'s last change', { minimum: 0 }) modRevision: number;
  @Timestamp('When this incarnation of the key was created') createdAt: string;
  @Timestamp('When the entry last changed') updatedAt: string;
  @NullableTimestamp('When the entry expires; null: never') expiresAt: string | null;
}

@ApiSchema({ name: 'EntryRead' })
export class EntryReadDto extends EntryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Only with ?asOf=: the namespace revision the entry was read at' })
  asOf?: number;
}

@ApiSchema({ name: 'ListedEntry' })
export class ListedEntryDto extends EntryDto {
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'With includeDeleted=true: when it was deleted, null if live' })
  deletedAt?: string | null;
  @ApiPropertyOptional({ description: 'With includeDeleted=true: whether POST …/{key}/restore can bring it back' })
  restorable?: boolean;
}

@ApiSchema({ name: 'EntryPage' })
export class EntryPageDto {
  @ApiProperty({ type: [ListedEntryDto] }) items: ListedEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Give it back as `cursor` for the next page; null on the last one' })
  nextCursor: string | null;
}

@ApiSchema({ name: 'EntryWriteResult' })
export class EntryWriteResultDto extends EntryDto {
  @ApiProperty({ description: 'true: the key was created (201); false: updated (200)' }) created: boolean;
  @Integer('The namespace revision of the write', { minimum: 0 }) revision: number;
  @Position('The position of the write\'s last event: a read with this minPosition sees it') position: string;
}

/** SetTTL and restore: the entry as reads now see it, and where the write landed. */
@ApiSchema({ name: 'KeyWriteResult' })
export class KeyWriteResultDto extends EntryDto {
  @Integer('The namespace revision of the write', { minimum: 0 }) revision: number;
  @Position() position: string;
}

@ApiSchema({ name: 'PurgeResult' })
export class PurgeResultDto {
  @Integer('The version the purge ended', { minimum: 1 }) version: number;
  @Integer('The namespace revision of the purge', { minimum: 0 }) revision: number;
  @Position() position: string;
}

@ApiSchema({ name: 'TransactionOpResult' })
export class TransactionOpResultDto {
  @ApiProperty({ enum: ['put', 'delete'] }) op: 'put' | 'delete';
  @ApiProperty() key: string;
  @Integer('The version the op made (or ended, for a delete)', { minimum: 0 }) version: number;
}

@ApiSchema({ name: 'TransactionResult' })
export class TransactionResultDto {
  @Integer('The namespace revision of the transaction\'s last event', { minimum: 0 }) revision: number;
  @Position() position: string;
  @ApiProperty({ type: [TransactionOpResultDto], description: 'One per op, in order' }) results: TransactionOpResultDto[];
}

@ApiSchema({ name: 'Quota' })
export class QuotaDto {
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'Most live entries; null: no limit' }) maxEntries: number | null;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'Most key and value bytes of the live entries; null: no limit' })
  maxBytes: number | null;
  @Integer('Live entries now', { minimum: 0 }) usedEntries: number;
  @Integer('Key and value bytes of the live entries now', { minimum: 0 }) usedBytes: number;
}

const TAGS = { type: 'object', additionalProperties: { type: 'string', pattern: '^#[0-9a-f]{6}$' }, description: 'Tag name -> colour "#rrggbb"' } as const;

@ApiSchema({ name: 'Dependencies' })
export class DependenciesDto {
  @ApiProperty({ type: [String], description: 'The namespaces this one depends on itself, by name' }) direct: string[];
  @ApiProperty({ type: [String], description: 'Everything it depends on, transitively, in dependency order (dependencies first)' }) resolved: string[];
}

@ApiSchema({ name: 'Migration' })
export class MigrationDto {
  @ApiProperty({ example: '0002-snapshot-bytes' }) migrationId: string;
  @ApiProperty() description: string;
  @ApiProperty({ format: 'date-time', description: 'When a release that has it first started on this store' }) appliedAt: string;
  @Integer('The event schemaVersion it reads from', { minimum: 0 }) fromVersion: number;
  @Integer('The schemaVersion it reads into', { minimum: 1 }) toVersion: number;
}

@ApiSchema({ name: 'ValueSchema' })
export class SchemaDto {
  @ApiProperty() namespace: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the schema\'s canonical JSON (fields sorted)' }) sha256: string;
  @ApiProperty({ oneOf: [{ type: 'object', additionalProperties: true }, { type: 'boolean' }], description: 'The JSON Schema 2020-12' }) schema: unknown;
  @ApiProperty({ format: 'date-time' }) setAt: string;
  @ApiProperty({ description: 'The actor who set it' }) setBy: string;
  @Integer('The namespace revision of its StoreSchemaSet', { minimum: 0 }) revision: number;
}

@ApiSchema({ name: 'SchemaProblem' })
export class SchemaProblemDto {
  @ApiProperty({ description: 'JSON Pointer into the value ("" is the value itself)' }) path: string;
  @ApiProperty() message: string;
}

@ApiSchema({ name: 'SchemaViolator' })
export class SchemaViolatorDto {
  @ApiProperty() key: string;
  @ApiProperty({ type: [SchemaProblemDto] }) errors: SchemaProblemDto[];
}

@ApiSchema({ name: 'SchemaViolations' })
export class SchemaViolationsDto {
  @ApiProperty({ type: [SchemaViolatorDto], description: 'The first 100 live entries, in key order, whose value violates the schema' }) items: SchemaViolatorDto[];
  @Integer('Live entries checked (at most 10 000, or 64 MiB of values)', { minimum: 0 }) checked: number;
  @Integer('Entries among those checked that violate it', { minimum: 0 }) violating: number;
  @ApiProperty({ description: 'Every live entry was checked' }) complete: boolean;
}

@ApiSchema({ name: 'SetSchemaResult' })
export class SetSchemaResultDto extends SchemaDto {
  @ApiProperty({ type: SchemaViolationsDto }) violations: SchemaViolationsDto;
}

@ApiSchema({ name: 'Namespace' })
export class NamespaceDto {
  @ApiProperty({ pattern: '^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$' }) name: string;
  @Integer('Live entries (deleted and expired ones do not count)', { minimum: 0 }) entryCount: number;
  @Integer('Key and value bytes of the live entries', { minimum: 0 }) bytes: number;
  @Integer('The revision of the namespace\'s last event (its creation is 0)', { minimum: 0 }) revision: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'From the config file: puts without ttlSeconds expire after this; null: none' })
  defaultTtlSeconds: number | null;
  @ApiProperty({ type: QuotaDto, description: 'Its limits and what it uses' }) quota: QuotaDto;
  @ApiProperty(TAGS) tags: Record<string, string>;
  @ApiProperty({ type: [String], description: 'The namespaces it depends on, by name' }) dependsOn: string[];
  @ApiProperty({ description: 'Its values are sealed under its own data keys (chosen at creation: {"encrypted": true})' }) encrypted: boolean;
  @Timestamp('When the namespace was created (its current life, after a delete)') createdAt: string;
  @Timestamp('When the namespace last changed') updatedAt: string;
}

@ApiSchema({ name: 'CreateNamespaceResult' })
export class CreateNamespaceResultDto extends NamespaceDto {
  @ApiProperty({ description: 'true: created (201); false: it existed (200)' }) created: boolean;
}

const ENTRY_EVENT_TYPES = ['StoreEntryCreated', 'StoreEntryUpdated', 'StoreEntryDeleted', 'StoreEntryRestored', 'StoreEntryPurged', 'StoreEntryTtlSet', 'StoreEntryExpired'];

@ApiSchema({ name: 'HistoryItem' })
export class HistoryItemDto {
  @Integer('The namespace revision of the event', { minimum: 0 }) revision: number;
  @Position() position: string;
  @ApiProperty({ enum: ENTRY_EVENT_TYPES }) type: string;
  @Integer('The version the event made (or ended, for deletes, expiries and purges)', { minimum: 1 }) version: number;
  @ApiProperty({ description: 'Who made the change' }) actor: string;
  @Timestamp('When the event was recorded') timestamp: string;
  @ApiProperty() correlationId: string;
  @ApiPropertyOptional({ description: 'Writes and restores: the value as text' }) value?: string;
  @ApiPropertyOptional({ format: 'byte', description: 'Writes and restores: the value as base64, when not UTF-8' }) valueBase64?: string;
  @Metadata(true) metadata?: Record<string, string>;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Writes and TTL changes: the expiry' })
  expiresAt?: string | null;
  @ApiPropertyOptional({ enum: ['purged'], description: 'Writes of a key purged since: their value and metadata are forgotten (left out)' })
  redacted?: 'purged';
}

@ApiSchema({ name: 'HistoryPage' })
export class HistoryPageDto {
  @ApiProperty({ type: [HistoryItemDto], description: 'Oldest first' }) items: HistoryItemDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

@ApiSchema({ name: 'RollbackPointView' })
export class RollbackPointViewDto {
  @ApiProperty() namespace: string;
  @ApiProperty() id: string;
  @ApiProperty({ type: String, nullable: true }) stage: string | null;
  @ApiProperty({ type: String, nullable: true }) label: string | null;
  @Integer('The namespace revision whose state the point names', { minimum: 0 }) revision: number;
  @Timestamp('When the point was created') createdAt: string;
  @ApiProperty() actor: string;
}

@ApiSchema({ name: 'RollbackPointList' })
export class RollbackPointListDto {
  @ApiProperty({ type: [RollbackPointViewDto], description: 'Oldest first' }) items: RollbackPointViewDto[];
}

/** The entries visible at a revision: one page in key order, and how many there are. */
@ApiSchema({ name: 'StatePage' })
export class StatePageDto {
  @ApiProperty({ type: [EntryDto] }) items: EntryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
  @Integer('The revision the entries are read at', { minimum: 0 }) revision: number;
  @Integer('How many entries were visible at that revision', { minimum: 0 }) count: number;
}

@ApiSchema({ name: 'RollbackPointDetail' })
export class RollbackPointDetailDto extends RollbackPointViewDto {
  @ApiProperty({ type: StatePageDto }) entries: StatePageDto;
}

@ApiSchema({ name: 'RollbackDiff' })
export class RollbackDiffDto {
  @ApiProperty({ type: [String], description: 'Keys brought back' }) restored: string[];
  @ApiProperty({ type: [String], description: 'Keys whose value, metadata or expiry changed' }) changed: string[];
  @ApiProperty({ type: [String], description: 'Keys deleted (restorable)' }) removed: string[];
}

@ApiSchema({ name: 'RollbackResult' })
export class RollbackResultDto {
  @ApiProperty() pointId: string;
  @Integer('The revision rolled back to', { minimum: 0 }) toRevision: number;
  @ApiProperty({ description: 'Roll back to this point to undo the rollback' }) undoPointId: string;
  @ApiProperty({ type: RollbackDiffDto }) diff: RollbackDiffDto;
  @Integer('The namespace revision of the rollback', { minimum: 0 }) revision: number;
  @Position() position: string;
}

@ApiSchema({ name: 'Snapshot' })
export class SnapshotDto {
  @ApiProperty() namespace: string;
  @ApiProperty() id: string;
  @Integer('The namespace revision captured', { minimum: 0 }) revision: number;
  @Integer('Entries captured (deleted ones included)', { minimum: 0 }) entryCount: number;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'Key and value bytes of the live entries captured; null for a snapshot taken before sizes were recorded (event schemaVersion 1)' })
  bytes: number | null;
  @Timestamp('When the snapshot was taken') createdAt: string;
  @ApiProperty() actor: string;
}

@ApiSchema({ name: 'SnapshotList' })
export class SnapshotListDto {
  @ApiProperty({ type: [SnapshotDto], description: 'Oldest first' }) items: SnapshotDto[];
}

@ApiSchema({ name: 'SnapshotDetail' })
export class SnapshotDetailDto extends SnapshotDto {
  @ApiProperty({ type: StatePageDto }) entries: StatePageDto;
}

@ApiSchema({ name: 'ReloadChange' })
export class ReloadChangeDto {
  @ApiProperty() namespace: string;
  @ApiProperty({ enum: ['created', 'configured', 'quota', 'tags', 'dependencies', 'schema'] }) change: string;
  @ApiPropertyOptional({ type: 'integer', nullable: true }) defaultTtlSeconds?: number | null;
  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'schema: the SHA-256 of the value schema after the change; null: none' }) sha256?: string | null;
}

@ApiSchema({ name: 'ReloadResult' })
export class ReloadResultDto {
  @ApiProperty({ description: 'SHA-256 (hex) of the file applied' }) sha256: string;
  @ApiProperty({ type: [ReloadChangeDto] }) changes: ReloadChangeDto[];
  @ApiProperty({ description: 'true: the file changed nothing' }) unchanged: boolean;
}

@ApiSchema({ name: 'Consumer' })
export class ConsumerDto {
  @ApiProperty() name: string;
  @Position('The last position the consumer checkpointed') position: string;
  @Timestamp('When it last checkpointed') checkpointedAt: string;
  @Integer('How many checkpoints it has saved', { minimum: 0 }) checkpoints: number;
}

@ApiSchema({ name: 'Replica' })
export class ReplicaDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['projector', 'consumer'] }) kind: 'projector' | 'consumer';
  @ApiProperty({ type: String, nullable: true, description: POSITION }) position: string | null;
  @Integer('Events in the log not yet applied (or processed)', { minimum: 0 }) lagEvents: number;
  @ApiProperty({ description: 'true when lagEvents stopped counting at its cap (10,000)' }) lagCapped: boolean;
  @ApiProperty({ type: 'number', minimum: 0, description: 'Age of the oldest event not yet applied, in seconds' }) lagSeconds: number;
  @ApiProperty({ enum: ['live', 'catching-up', 'stalled'] }) status: 'live' | 'catching-up' | 'stalled';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSyncedAt: string | null;
}

@ApiSchema({ name: 'RestoreResult' })
export class RestoreResultDto {
  @ApiProperty({ description: 'false: the store already held this archive (a repeat), nothing was written' }) restored: boolean;
  @ApiProperty({ type: [String] }) namespaces: string[];
  @Integer('Events imported', { minimum: 0 }) events: number;
  @ApiProperty({ description: 'The store\'s new incarnation' }) incarnation: string;
  @ApiProperty({ type: String, nullable: true, description: POSITION }) position: string | null;
}

@ApiSchema({ name: 'RebuildResult' })
export class RebuildResultDto {
  @Integer('Events replayed', { minimum: 0 }) events: number;
  @Integer('How long the rebuild took, in milliseconds', { minimum: 0 }) millis: number;
}

/** One event of the change feed: the `data:` line of each SSE message. */
@ApiSchema({ name: 'FeedEvent' })
export class FeedEventDto {
  @ApiProperty({ description: 'The event type, also the SSE `event:` field', example: 'StoreEntryCreated' }) type: string;
  @ApiProperty({ description: 'The stream, store-<namespace>' }) stream: string;
  @ApiPropertyOptional() namespace?: string;
  @ApiPropertyOptional() key?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 0 }) version?: number;
  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'Entry writes and TTL changes: epoch milliseconds, or null' })
  expiresAt?: number | null;
  @ApiPropertyOptional() value?: string;
  @ApiPropertyOptional({ format: 'byte' }) valueBase64?: string;
  @Metadata(true) metadata?: Record<string, string>;
  @ApiPropertyOptional({
    enum: ['VALUE_SHREDDED', 'KEY_UNAVAILABLE'],
    description: 'A write of an encrypted namespace whose value cannot be opened here: it comes without value and metadata',
  })
  unreadable?: 'VALUE_SHREDDED' | 'KEY_UNAVAILABLE';
  @Integer('The event\'s revision in its stream', { minimum: 0 }) revision: number;
  @Position('The event\'s position, also the SSE `id:` field') position: string;
  @Timestamp('When it was recorded') timestamp: string;
  @ApiProperty() actor: string;
  @ApiProperty() correlationId: string;
  @ApiProperty() causationId: string;
}

/** RFC 9457 problem details, as every refusal and failure is answered (`application/problem+json`). */
@ApiSchema({ name: 'Problem' })
export class ProblemDto {
  @ApiProperty({ description: 'A URN naming the problem', example: 'urn:hexastore:problem:entry-not-found' }) type: string;
  @ApiProperty({ example: 'entry not found' }) title: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status' }) status: number;
  @ApiProperty({ description: 'What went wrong, for a person' }) detail: string;
  @ApiProperty({ enum: PROBLEM_CODES, description: 'The stable, machine-readable part' }) code: string;
  @ApiPropertyOptional({ description: 'The request path' }) instance?: string;
  @ApiPropertyOptional({ description: 'The request id (also the X-Request-Id header)' }) requestId?: string;
  @ApiPropertyOptional({ type: [String], description: '405: the methods the path has (also the Allow header)' }) allow?: string[];
}

@ApiSchema({ name: 'Grant' })
export class GrantDto {
  @ApiProperty({ description: 'The namespace the grant is on' }) namespace: string;
  @ApiProperty({ enum: ['read', 'write', 'admin'], description: 'write implies read; admin implies write' }) access: string;
}

@ApiSchema({ name: 'WhoAmI' })
export class WhoAmIDto {
  @ApiProperty({ description: 'The authenticated user (the actor on the events this caller writes); `anonymous` while STORE_AUTH is off' })
  user: string;
  @ApiProperty({ type: [String], description: "The caller's roles (an API key's roles, or a JWT's `roles` claim)" }) roles: string[];
  @ApiProperty({ type: [GrantDto], description: "The namespaces the caller's user and roles have grants on, each with the highest access they give (the admin role may do everything without one)" })
  grants: GrantDto[];
}

@ApiSchema({ name: 'SubjectGrant' })
export class SubjectGrantDto {
  @ApiProperty({ description: 'The namespace' }) namespace: string;
  @ApiProperty({ description: 'user:<name> or role:<name>' }) subject: string;
  @ApiProperty({ enum: ['read', 'write', 'admin'] }) access: string;
}

@ApiSchema({ name: 'GrantList' })
export class GrantListDto {
  @ApiProperty({ type: 'array', items: { type: 'object', required: ['subject', 'access'], properties: {
    subject: { type: 'string', description: 'user:<name> or role:<name>' }, access: { type: 'string', enum: ['read', 'write', 'admin'] },
  } }, description: 'The grants of the namespace, by subject' })
  items: { subject: string; access: string }[];
}

@ApiSchema({ name: 'GrantCheck' })
export class GrantCheckDto {
  @ApiProperty({ description: "Whether the subject's own grant (or role:admin) allows the access" }) allowed: boolean;
}
