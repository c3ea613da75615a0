import { type BaseConfig, baseConfigSchema, loadConfig } from '../src/index.ts';

/** A valid base configuration for tests, with optional overrides given as environment values. */
export function testConfig(env: Record<string, string> = {}): BaseConfig {
  return loadConfig(baseConfigSchema, { PORT: '0', ...env });
}
