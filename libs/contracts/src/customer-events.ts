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
  /** An Ed25519 public key (RFC 8037): `x` is its 32 bytes in base64url, 43 characters. */
  publicKeyJwk: z.object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  }),
});

/** `customer.router.revoked` v1: a router's key may no longer be used. */
export const routerRevokedV1 = z.object({
  routerId: z.uuid(),
  storeId: z.uuid(),
});
