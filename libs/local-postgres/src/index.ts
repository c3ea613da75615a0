export {
  type LocalPostgres,
  type LocalPostgresSettings,
  startLocalPostgres,
} from './local-postgres.ts';
export { findFreePort, isPortInUse } from './ports.ts';
