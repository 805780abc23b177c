import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';
import { RequestMeta } from '../shared/request-meta';
import { eventMetadata, STREAM_PREFIX } from '../shared/store-events';
import { handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { decideNamespaceConfig } from '../namespace/config.decide';
import { decideDeclaredDependencies } from '../namespace/dependencies.decide';
import { NamespaceEvent } from '../namespace/namespace';
import { ConfigChange, ConfigReloaded, ReloadResult, ReloadTrigger } from '../events/config-reloaded';
import { configInvalid, parseStoreConfigDocument } from './store-config';
import { ApiKeys } from '../identity/api-keys';

export type { ConfigChange, ConfigReloaded, ReloadResult, ReloadTrigger };

/** Path of the config file, or undefined when none is configured. */
export const STORE_CONFIG_FILE = Symbol('StoreConfigFile');

/** Store-wide events go to a stream no namespace name can take (names never start with `_`). */
export const STORE_STREAM = `${STREAM_PREFIX}_store`;

/** HotReload: read the config file, append the differences from the current state as events. */
export class HotReload extends Command<ReloadResult> {
  constructor(readonly meta: RequestMeta, readonly trigger: ReloadTrigger) {
    super();
  }
}

@CommandHandler(HotReload)
export class HotReloadHandler implements ICommandHandler<HotReload> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly backend: StoreBackend,
    private readonly clock: Clock,
    @Inject(STORE_CONFIG_FILE) private readonly file: string | undefined,
    private readonly apiKeys: ApiKeys,
  ) {}

  async execute({ meta, trigger }: HotReload): Promise<ReloadResult> {
    if (!this.file) throw configInvalid('', 'no config file is configured (set STORE_CONFIG)');
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw configInvalid('', `cannot read the config file (${error.code ?? error.message})`);
    });
    const document = parseStoreConfigDocument(text);
    const declared = document.namespaces;
    // The keys take effect with a file that parses, before its namespaces are applied; a refused file changes nothing.
    this.apiKeys.replace(document.apiKeys);
    const configured = this.backend.namespaces.list().filter((ns) => ns.defaultTtlSeconds !== null).map((ns) => ns.name);
    const names = [...new Set([...declared.keys(), ...configured])].sort();
    const writeMeta = { ...meta, idempotencyKey: undefined };
    const changes: ConfigChange[] = [];
    for (const namespace of names) {
      const settings = declared.get(namespace);
      changes.push(...(await handleCommand(this.writer, this.clock, writeMeta, {
        namespace,
        keys: [],
        operation: 'configure-namespace',
        input: settings ?? null,
        decide: (state) => decideNamespaceConfig(state, settings),
        respond: ({ events }) => this.changesOf(namespace, events),
      })));
    }
    // Dependencies once every declared namespace exists.
    for (const [namespace, settings] of declared) {
      const dependencies = settings.dependencies;
      if (!dependencies) continue;
      changes.push(...(await handleCommand(this.writer, this.clock, writeMeta, {
        namespace,
        keys: [],
        operation: 'configure-dependencies',
        input: dependencies,
        decide: (state) => decideDeclaredDependencies(
          state, dependencies, this.backend.namespaces.graph(), (other) => this.backend.namespaces.get(other) !== undefined,
        ),
        respond: ({ events }) => this.changesOf(namespace, events),
      })));
    }
    const result = { sha256: createHash('sha256').update(text).digest('hex'), changes, unchanged: changes.length === 0 };
    if (!result.unchanged || trigger !== 'start') await this.record({ ...result, trigger }, meta);
    return result;
  }

  /** One change per kind of setting a write changed, as it is after the write. */
  private changesOf(namespace: string, events: readonly NamespaceEvent[]): ConfigChange[] {
    const kinds = new Set(events.map((e) => e.type));
    const view = this.backend.namespaces.get(namespace);
    const changes: ConfigChange[] = [];
    if (kinds.has('StoreNamespaceCreated')) changes.push({ namespace, change: 'created' });
    for (const e of events) {
      if (e.type === 'StoreNamespaceConfigured') changes.push({ namespace, change: 'configured', defaultTtlSeconds: e.data.defaultTtlSeconds });
      if (e.type === 'StoreQuotaSet') changes.push({ namespace, change: 'quota', maxEntries: e.data.maxEntries, maxBytes: e.data.maxBytes });
      if (e.type === 'StoreSchemaSet') changes.push({ namespace, change: 'schema', sha256: e.data.sha256 });
      if (e.type === 'StoreSchemaRemoved') changes.push({ namespace, change: 'schema', sha256: null });
    }
    if (kinds.has('StoreTagSet') || kinds.has('StoreTagRemoved')) changes.push({ namespace, change: 'tags', tags: view?.tags ?? {} });
    if (kinds.has('StoreDependencyAdded') || kinds.has('StoreDependencyRemoved')) {
      changes.push({ namespace, change: 'dependencies', dependsOn: view?.dependsOn ?? [] });
    }
    return changes;
  }

  private async record(data: ConfigReloaded['data'], meta: RequestMeta): Promise<void> {
    const metadata = eventMetadata({ ...meta, now: this.clock.now() });
    await this.backend.eventStore.append(STORE_STREAM, [{ id: randomUUID(), type: 'StoreConfigReloaded', data, metadata }], 'any');
  }
}
