import type { z } from 'zod';
import { routerRevokedV1, routerUpsertedV1, storeUpsertedV1 } from './customer-events.ts';
import { rollupUpdatedV1 } from './footfall-updated.ts';
import { type Topic, topics } from './topics.ts';
import { trackingBatchAcceptedV1 } from './tracking-batch-accepted.ts';

export interface MessageContract {
  /** A platform topic, or a test topic in a test catalogue. */
  readonly topic: Topic | (string & {});
  readonly type: string;
  readonly version: number;
  readonly payload: z.ZodType;
}

/**
 * Every message type and version the platform knows. A new version is added beside the old one,
 * never in its place, so consumers keep reading messages already in flight.
 */
export const messageCatalogue: readonly MessageContract[] = Object.freeze([
  contract(topics.trackingBatches, 'tracking.batch.accepted', 1, trackingBatchAcceptedV1),
  contract(topics.customerEvents, 'customer.store.upserted', 1, storeUpsertedV1),
  contract(topics.customerEvents, 'customer.router.upserted', 1, routerUpsertedV1),
  contract(topics.customerEvents, 'customer.router.revoked', 1, routerRevokedV1),
  contract(topics.footfallUpdated, 'footfall.rollup.updated', 1, rollupUpdatedV1),
]);

/** The contract of a type and version, or undefined when this build does not know it. */
export function findContract(type: string, version: number): MessageContract | undefined {
  return messageCatalogue.find((entry) => entry.type === type && entry.version === version);
}

function contract(
  topic: Topic,
  type: string,
  version: number,
  payload: z.ZodType,
): MessageContract {
  return Object.freeze({ topic, type, version, payload });
}
