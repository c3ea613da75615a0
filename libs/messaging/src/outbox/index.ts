export { idempotentHandler, type TransactionalWork } from './idempotent-handler.ts';
export { OutboxMetrics } from './outbox-metrics.ts';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.ts';
export { writeToOutbox } from './outbox-writer.ts';
