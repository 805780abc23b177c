import assert from 'node:assert/strict';
import { evolve, initialNamespaceState, NamespaceEvent, NamespaceState } from './namespace';
import { ErrorCode, StoreError } from '../shared/errors';

/**
 * Given/when/then for deciders, instead of mocks: the past events are folded with `evolve` onto
 * the initial state, the decision runs on the result, and it must emit exactly the expected events
 * or throw a StoreError with exactly the expected code (and details, when given).
 * Built on node:assert rather than Jest's `expect`, so it also type-checks without Jest's types.
 */
export function decider<S, E>(initialState: () => S, evolveState: (state: S, event: E) => S) {
  return {
    given: (...past: E[]) => {
      const state = past.reduce(evolveState, initialState());
      return {
        state,
        when: (decide: (state: S) => readonly E[]) => ({
          then: (...expected: E[]) => assert.deepStrictEqual(decide(state), expected),
          thenFails: (code: ErrorCode, details?: Readonly<Record<string, unknown>>) => {
            let emitted: readonly E[];
            try {
              emitted = decide(state);
            } catch (error) {
              if (!(error instanceof StoreError)) throw error;
              assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
              if (details !== undefined) assert.deepStrictEqual(error.details, details);
              return;
            }
            assert.fail(`expected ${code}, but the decision emitted ${JSON.stringify(emitted)}`);
          },
        }),
      };
    },
  };
}

/** The decider of one namespace stream, starting from a namespace that does not exist yet. */
export const namespaceDecider = (name: string) =>
  decider<NamespaceState, NamespaceEvent>(() => initialNamespaceState(name), evolve);
