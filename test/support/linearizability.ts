/**
 * A small linearizability checker for per-key versioned registers (the store's entries), after
 * Wing & Gong with Lowe's memoisation (as in porcupine): a depth-first search for an order of the
 * operations that respects real time and the register's sequential specification, remembering
 * (set of operations linearized, register state) pairs already explored.
 *
 * An operation whose answer never came (the service was killed) is `unknown`: it may have taken
 * effect at any moment after its invocation, or never; its answer is not checked.
 */

/** The register as a client sees it: absent (version 0) or a value at a version. */
export interface RegisterState {
  readonly value: string | null;
  readonly version: number;
}

export const ABSENT: RegisterState = { value: null, version: 0 };

export type RegisterInput =
  | { readonly kind: 'get' }
  /** A put; `expectedVersion` makes it a compare-and-set (0 = must not exist). */
  | { readonly kind: 'put'; readonly value: string; readonly expectedVersion?: number };

export type RegisterOutput =
  | { readonly kind: 'read'; readonly value: string | null; readonly version: number }
  | { readonly kind: 'written'; readonly version: number }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'unknown' };

export interface Operation {
  readonly client: number;
  readonly input: RegisterInput;
  readonly output: RegisterOutput;
  /** Invocation and response times on one clock (a response of an unknown operation is Infinity). */
  readonly call: number;
  readonly ret: number;
}

/** The register's sequential specification: the next state if `output` is a possible answer in `state`, else undefined. */
export function step(state: RegisterState, input: RegisterInput, output: RegisterOutput): RegisterState | undefined {
  if (input.kind === 'get') {
    if (output.kind === 'unknown') return state;
    if (output.kind !== 'read') return undefined;
    return output.value === state.value && output.version === state.version ? state : undefined;
  }
  const matches = input.expectedVersion === undefined || input.expectedVersion === state.version;
  const written = { value: input.value, version: state.version + 1 };
  if (output.kind === 'unknown') return matches ? written : state;
  if (output.kind === 'conflict') return matches ? undefined : state;
  if (output.kind === 'written') return matches && output.version === written.version ? written : undefined;
  return undefined;
}

export interface CheckResult {
  readonly ok: boolean;
  /** States explored: the search's cost (bounded by `maxSteps`). */
  readonly steps: number;
  /** When not linearizable: the longest prefix of operations (indices) that could be linearized. */
  readonly longestPrefix?: readonly number[];
}

/**
 * Is the history of one register linearizable? Throws when the search passes `maxSteps` (a history
 * too large or too concurrent to decide), rather than answering either way.
 */
export function checkRegister(history: readonly Operation[], initial: RegisterState = ABSENT, maxSteps = 2_000_000): CheckResult {
  const ops = history.filter((op) => !(op.input.kind === 'get' && op.output.kind === 'unknown'));
  const n = ops.length;
  const done = new Uint8Array(n);
  const seen = new Set<string>();
  let mustDo = ops.filter((op) => op.output.kind !== 'unknown').length;
  let steps = 0;
  let longest: number[] = [];
  const order: number[] = [];
  const keyOf = (state: RegisterState) => `${Array.from(done).join('')}|${state.version}|${state.value ?? '\u0000'}`;

  const search = (state: RegisterState): boolean => {
    if (mustDo === 0) return true;
    if (++steps > maxSteps) throw new Error(`linearizability search passed ${maxSteps} steps: use a smaller history`);
    const memo = keyOf(state);
    if (seen.has(memo)) return false;
    seen.add(memo);
    // An operation may go next only if it was invoked before every pending operation's response.
    let horizon = Infinity;
    for (let i = 0; i < n; i++) if (!done[i] && ops[i].ret < horizon) horizon = ops[i].ret;
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      if (done[i] || op.call > horizon) continue;
      const next = step(state, op.input, op.output);
      if (next === undefined) continue;
      done[i] = 1;
      order.push(i);
      const known = op.output.kind !== 'unknown';
      if (known) mustDo--;
      if (order.length > longest.length) longest = [...order];
      if (search(next)) return true;
      if (known) mustDo++;
      order.pop();
      done[i] = 0;
    }
    return false;
  };

  const ok = search(initial);
  return ok ? { ok, steps } : { ok, steps, longestPrefix: longest };
}
