import { z } from 'zod';

/** `customer.store.upserted` v1: a store was created or its settings changed. */
export const storeUpsertedV1 = z.object({
  storeId: z.uuid(),
  customerId: z.uuid(),
  name: z.string().min(1).max(200),
  timeZone: z.string().min(1).max(64),
});

/** `customer.router.upserted` v1: a router was provisioned or its key rotated. */
export const routerUpsertedV1 = z.object({
  routerId: z.uuid(),
  storeId: z.uuid(),
  publicKeyJwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }),
});

/** `customer.router.revoked` v1: a router's key may no longer be used. */
export const routerRevokedV1 = z.object({
  routerId: z.uuid(),
  storeId: z.uuid(),
});
