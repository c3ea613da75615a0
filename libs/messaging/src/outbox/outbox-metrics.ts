import { Counter, type Registry } from 'prom-client';

/** The outbox relay's metrics of one process, registered once in the service's registry. */
export class OutboxMetrics {
  readonly parked: Counter<'table'>;
  readonly failedRounds: Counter<'table'>;

  constructor(registry: Registry) {
    this.parked = new Counter({
      name: 'messaging_outbox_parked_total',
      help: 'Outbox rows set aside because publishing them fails for good.',
      labelNames: ['table'],
      registers: [registry],
    });
    this.failedRounds = new Counter({
      name: 'messaging_outbox_relay_failures_total',
      help: 'Relay rounds that failed and are tried again after a backoff.',
      labelNames: ['table'],
      registers: [registry],
    });
  }
}
