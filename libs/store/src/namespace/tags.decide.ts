import { TagRemoved, TagSet } from './governance';
import { NamespaceState, requireExists } from './namespace';
import { invalid, StoreError } from '../shared/errors';
import { NAMESPACE_PATTERN } from '../shared/names';

const COLOR = /^#[0-9a-f]{6}$/i;

/** Tag names follow the namespace name rule: 1-64 of a-z, 0-9, ".", "_", "-". */
export function validateTag(tag: string): void {
  if (!NAMESPACE_PATTERN.test(tag)) {
    throw invalid('a tag is 1-64 characters of a-z, 0-9, ".", "_", "-", starting and ending with a letter or digit', { tag: tag.slice(0, 100) });
  }
}

export function validateColor(color: unknown): string {
  if (typeof color !== 'string' || !COLOR.test(color)) throw invalid('color is "#rrggbb" (hex digits)', { field: 'color' });
  return color.toLowerCase();
}

/** SetTag: gives an existing namespace a tag, or the tag a new colour; the same colour again writes nothing. */
export function decideSetTag(state: NamespaceState, tag: string, color: unknown): TagSet[] {
  validateTag(tag);
  const rgb = validateColor(color);
  requireExists(state);
  return state.tags[tag] === rgb ? [] : [{ type: 'StoreTagSet', data: { namespace: state.name, tag, color: rgb } }];
}

/** RemoveTag: TAG_NOT_FOUND when the namespace does not have it. */
export function decideRemoveTag(state: NamespaceState, tag: string): TagRemoved[] {
  validateTag(tag);
  requireExists(state);
  if (!Object.hasOwn(state.tags, tag)) throw new StoreError('TAG_NOT_FOUND', `namespace ${state.name} has no tag ${tag}`, { tag });
  return [{ type: 'StoreTagRemoved', data: { namespace: state.name, tag } }];
}

/** The events that bring a namespace's tags to those the config file declares (none: all removed). */
export function decideDeclaredTags(state: NamespaceState, declared: Readonly<Record<string, string>>): (TagSet | TagRemoved)[] {
  const removed = Object.keys(state.tags).filter((tag) => !Object.hasOwn(declared, tag)).sort()
    .map((tag): TagRemoved => ({ type: 'StoreTagRemoved', data: { namespace: state.name, tag } }));
  const set = Object.entries(declared).filter(([tag, color]) => state.tags[tag] !== color.toLowerCase()).sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([tag, color]): TagSet => ({ type: 'StoreTagSet', data: { namespace: state.name, tag, color: color.toLowerCase() } }));
  return [...removed, ...set];
}
