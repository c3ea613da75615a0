/** The app type services build on; re-exported so services need no direct fastify dependency. */
export type { FastifyInstance as ServiceApp } from 'fastify';
export { type BaseConfig, baseConfigSchema, baseConfigShape } from './base-config.ts';
export { ConfigError, type ConfigIssue, loadConfig } from './config.ts';
export { portWithDefault } from './config-types.ts';
export {
  addDependency,
  createService,
  type Dependency,
  type ServiceOptions,
  startService,
} from './create-service.ts';
export type { ErrorBody } from './error-handler.ts';
export {
  AppError,
  type AppErrorOptions,
  defineErrors,
  type ErrorCatalogue,
  type ErrorDefinition,
  type ErrorFactory,
} from './errors.ts';
export { type ShutdownSettings, shutDown } from './graceful-shutdown.ts';
export { type HttpErrorCode, httpErrors } from './http-errors.ts';
export { createLogger, type Logger } from './logger.ts';
export type { ReadinessCheck, ReadinessReport } from './readiness.ts';
export { requestIdHeader } from './request-id.ts';
export { runMain } from './run-main.ts';
