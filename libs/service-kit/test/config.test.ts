import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from '../src/index.ts';

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const config = loadConfig(baseConfigSchema, { PORT: '4100' });

    expect(config.PORT).toBe(4100);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.BODY_LIMIT_BYTES).toBe(1024 * 1024);
    expect(config.REQUEST_TIMEOUT_MS).toBe(30_000);
  });

  it('names every bad variable in one error', () => {
    const attempt = () =>
      loadConfig(baseConfigSchema, { PORT: 'eighty', LOG_LEVEL: 'loud', SENTRY_DSN: 'nope' });

    expect(attempt).toThrow(ConfigError);

    try {
      attempt();
    } catch (error) {
      const variables = (error as ConfigError).issues.map((issue) => issue.variable).sort();
      expect(variables).toEqual(['LOG_LEVEL', 'PORT', 'SENTRY_DSN']);
      expect((error as ConfigError).code).toBe('CONFIG_INVALID');
      expect((error as Error).message).toContain('PORT');
    }
  });

  it('reports a missing required variable', () => {
    try {
      loadConfig(baseConfigSchema, {});
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).issues.map((issue) => issue.variable)).toEqual(['PORT']);
    }
  });

  it('treats an empty variable as unset so its default applies', () => {
    const config = loadConfig(baseConfigSchema, { PORT: '1', LOG_LEVEL: '' });

    expect(config.LOG_LEVEL).toBe('info');
  });

  it('freezes the result, nested objects included', () => {
    const schema = z.object({
      PORT: z.string(),
      nested: z.object({ a: z.string() }).default({ a: 'x' }),
    });
    const config = loadConfig(schema, { PORT: '1' });

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.nested)).toBe(true);
    expect(() => {
      (config as { PORT: string }).PORT = '2';
    }).toThrow(TypeError);
  });
});
