/**
 * The services that call others over OAuth 2 client credentials, by client id: the auth service
 * registers one confidential client for each, and whatever installs the platform (pnpm start, the
 * charts, the test helpers) gives each a secret.
 */
export const serviceClientIds = [
  'tracking-ingestion',
  'tracking-computation',
  'customer',
  'dashboard',
] as const;

export type ServiceClientId = (typeof serviceClientIds)[number];
