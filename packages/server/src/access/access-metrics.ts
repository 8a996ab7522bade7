/**
 * Access metrics on the server's registry: API requests the access hook refused (by status) and audit entries that
 * could not be kept. Every series starts at 0, so dashboards and alerts see a value before the first refusal.
 */
import { Counter, type Registry } from 'prom-client';

export const REFUSAL_STATUSES = ['401', '403', '429'] as const;

export class AccessMetrics {
  readonly refused: Counter<'status'>;
  readonly auditLost: Counter<'reason'>;

  constructor(registry: Registry) {
    this.refused = new Counter({
      name: 'hookscribe_api_requests_refused_total',
      help: 'API requests refused by the access hook: 401 no/invalid credentials, 403 role too low, 429 rate limited',
      labelNames: ['status'],
      registers: [registry],
    });
    this.auditLost = new Counter({
      name: 'hookscribe_audit_entries_lost_total',
      help: 'Audit entries not stored: dropped (queue full while the store was away) or failed (store refused them)',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const status of REFUSAL_STATUSES) this.refused.inc({ status }, 0);
    for (const reason of ['dropped', 'failed']) this.auditLost.inc({ reason }, 0);
  }
}
