import { StoreError, validateKey } from '@app/store';
import { createParamDecorator, ExecutionContext, Inject, Injectable, PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/config';

/** Sub-resources of an entry, named by the last path segment: `…/entries/{key}/{sub}`. */
export type EntrySub = 'ttl' | 'history' | 'restore' | 'purge';

export interface EntryPath {
  readonly key: string;
  readonly sub?: EntrySub;
}

/**
 * The key and sub-resource of `/v1/namespaces/{ns}/entries/{rest}`, read from the raw URL: the
 * key may hold `/`, so a last segment that is one of `subs` (the sub-resources of this method) is
 * taken as the sub-resource only while it is a literal segment; a key that ends in `/history`,
 * say, is sent with its last `/` as `%2F`. The key is percent-decoded after the split.
 */
export function parseEntryPath(rawUrl: string, subs: readonly EntrySub[]): EntryPath {
  const path = rawUrl.split('?', 1)[0];
  const rest = path.split('/').slice(5); // '', 'v1', 'namespaces', '{ns}', 'entries'
  const last = rest[rest.length - 1] as EntrySub;
  const sub = rest.length >= 2 && subs.includes(last) ? last : undefined;
  const rawKey = (sub ? rest.slice(0, -1) : rest).join('/');
  try {
    return { key: decodeURIComponent(rawKey), sub };
  } catch {
    throw new StoreError('KEY_INVALID', 'the key is not valid percent-encoded UTF-8', { key: rawKey.slice(0, 100) });
  }
}

/**
 * Refuses a key outside the rules (empty, too long, control characters, …) with 400 KEY_INVALID
 * before any handler runs, so every method answers an invalid key alike: a read never reports
 * such a key as merely missing.
 */
@Injectable()
export class ValidEntryKey implements PipeTransform<EntryPath, EntryPath> {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  transform(path: EntryPath): EntryPath {
    validateKey(path.key, this.config.limits.maxKeyBytes);
    return path;
  }
}

const EntryParam = createParamDecorator((subs: readonly EntrySub[] | undefined, ctx: ExecutionContext) =>
  parseEntryPath(ctx.switchToHttp().getRequest<FastifyRequest>().url, subs ?? []),
);

/** `@Entry(['history'])`: the entry path of this request, with the sub-resources the route handles; the key validated. */
export const Entry = (subs?: readonly EntrySub[]): ParameterDecorator => EntryParam(subs, ValidEntryKey);

