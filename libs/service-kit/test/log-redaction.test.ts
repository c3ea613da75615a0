import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.ts';
import { LogCapture } from './log-capture.ts';

function capture() {
  const logs = new LogCapture();
  const logger = createLogger({
    service: 'kit-test',
    version: '1',
    level: 'info',
    destination: logs,
  });
  return { logs, logger };
}

/** Every value here is a secret or a device identifier; none may reach the output. */
const secrets = {
  Authorization: 'Bearer s3cret-authorization',
  'X-Api-Key': 's3cret-api-key',
  'Proxy-Authorization': 'Basic s3cret-proxy',
  COOKIE: 'sid=s3cret-cookie',
  'Set-Cookie': 's3cret-set-cookie',
  currentPassword: 's3cret-current-password',
  new_password: 's3cret-new-password',
  passwd: 's3cret-passwd',
  confirmation: 's3cret-confirmation',
  csrf: 's3cret-csrf',
  _csrfToken: 's3cret-csrf-token',
  code_verifier: 's3cret-code-verifier',
  Refresh_Token: 's3cret-refresh-token',
  idToken: 's3cret-id-token',
  clientSecret: 's3cret-client-secret',
  PrivateKey: 's3cret-private-key',
  MAC: 'aa:bb:cc:00:11:22',
  deviceMac: 'aa-bb-cc-00-11-33',
  Device_Id: 's3cret-device-id',
};

describe('log redaction', () => {
  it('censors sensitive keys in any case, six levels deep and inside arrays', () => {
    const { logs, logger } = capture();
    const deep = { a: { b: { c: { d: { e: { ...secrets } } } } } };

    logger.info({ body: deep, list: [{ creds: { token: 's3cret-list-token' } }] }, 'deep');

    const output = logs.raw.join('\n');
    for (const value of [...Object.values(secrets), 's3cret-list-token']) {
      expect(output, value).not.toContain(value);
    }
    const line = logs.withMessage('deep')[0] as { body: typeof deep };
    expect(line.body.a.b.c.d.e.Authorization).toBe('[redacted]');
  });

  it('scrubs the credentials out of URLs, keeping the rest of the URL', () => {
    const { logs, logger } = capture();
    logger.info(
      {
        connectionString: 'postgres://footfall_app:s3cret-pg@127.0.0.1:5432/footfall',
        config: { BROKER_URL: 'amqp://s3cret-user-token@broker.local/' },
        note: 'retrying https://user:s3cret-in-text@example.com/path in 1 s',
        target: new URL('https://user:s3cret-url-object@example.com/x'),
      },
      'connecting to postgres://admin:s3cret-in-msg@db/x',
    );

    const output = logs.raw.join('\n');
    expect(output).not.toMatch(/s3cret/);
    expect(logs.lines[0]?.connectionString).toBe('postgres://[redacted]@127.0.0.1:5432/footfall');
    expect(logs.lines[0]?.msg).toBe('connecting to postgres://[redacted]@db/x');
  });

  it("scrubs an error's message, stack and fields", () => {
    const { logs, logger } = capture();
    const cause = new Error('connect to postgres://app:s3cret-cause@db:5432 refused');
    const error = Object.assign(new Error('device aa:bb:cc:dd:ee:ff rejected', { cause }), {
      details: { apiKey: 's3cret-error-field' },
    });

    logger.error({ err: error }, 'request failed');

    const output = logs.raw.join('\n');
    expect(output).not.toMatch(/s3cret|aa:bb:cc:dd:ee:ff/);
    expect(logs.lines[0]?.err).toMatchObject({ type: 'Error', message: expect.any(String) });
  });

  // A child's bindings skip the log formatter, so its err reaches the serializer unserialised.
  it('scrubs an error bound to a child logger, and keeps its type', () => {
    const { logs, logger } = capture();
    const error = Object.assign(new Error('device aa:bb:cc:dd:ee:ff rejected'), {
      details: { apiKey: 's3cret-bound-error-field' },
    });

    logger.child({ err: error }).info('bound');

    expect(logs.raw.join('\n')).not.toMatch(/s3cret|aa:bb:cc:dd:ee:ff/);
    expect(logs.lines[0]?.err).toMatchObject({ type: 'Error', message: expect.any(String) });
  });

  it('keeps ordinary fields, and the same objects it was given', () => {
    const { logs, logger } = capture();
    const fields = {
      method: 'GET',
      route: '/v1/stores/:id',
      statusCode: 200,
      keyIds: ['k1'],
      orderingKey: 'store-1',
      code: 'HTTP_NOT_FOUND',
      monkey: 'banana',
      at: new Date('2026-01-01T00:00:00Z'),
    };

    logger.info(fields, 'ordinary');

    expect(logs.lines[0]).toMatchObject({ ...fields, at: '2026-01-01T00:00:00.000Z' });
  });
});
