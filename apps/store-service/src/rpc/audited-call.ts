import { AccessAudit, outcomeOf } from '@app/store';
import { randomUUID } from 'node:crypto';
import { toProblem } from '../http/problem';

const MAX_FIELD = 1024;

/**
 * The access audit of one call over a transport beside HTTP, recorded once when it ends: who
 * (null until a credential proved someone), what, the namespace and key its message named, and
 * the outcome by the HTTP status of its problem (200 when served).
 */
export function auditedCall(audit: AccessAudit, operation: string, message: unknown) {
  const time = new Date().toISOString();
  const named = (field: string) => {
    const value = typeof message === 'object' && message !== null ? (message as Record<string, unknown>)[field] : undefined;
    return typeof value === 'string' && value !== '' ? value.slice(0, MAX_FIELD) : null;
  };
  const call = {
    actor: null as string | null,
    done(error?: unknown, completed = true): void {
      const status = error === undefined ? 200 : toProblem(error).status;
      audit.record({
        actor: status === 401 ? null : call.actor, operation, namespace: named('namespace'), key: named('key'),
        outcome: outcomeOf(status, completed), status, requestId: randomUUID(), time,
      });
    },
  };
  return call;
}
