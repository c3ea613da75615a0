import { afterEach, describe, expect, it } from 'vitest';
import { baseConfigSchema, ConfigError, loadConfig } from '../src/index.ts';
import { buildTestApp, type TestApp } from './build-test-app.ts';

let current: TestApp | undefined;

afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const forwarded = { 'x-forwarded-for': '198.51.100.7, 10.0.0.9', 'x-forwarded-proto': 'https' };

/** What the app believes about a request from `remoteAddress` carrying forwarding headers. */
async function whoami(trustProxy: string | undefined, remoteAddress = '10.0.0.2') {
  current = await buildTestApp(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy });
  const response = await current.app.inject({ url: '/whoami', headers: forwarded, remoteAddress });
  await current.app.close();
  return response.json() as { ip: string; protocol: string };
}

describe('TRUST_PROXY', () => {
  it('ignores forwarding headers by default', async () => {
    expect(await whoami(undefined)).toEqual({ ip: '10.0.0.2', protocol: 'http' });
    expect(await whoami('false')).toEqual({ ip: '10.0.0.2', protocol: 'http' });
  });

  it('takes the client from the headers when every proxy is trusted', async () => {
    expect(await whoami('true')).toEqual({ ip: '198.51.100.7', protocol: 'https' });
  });

  it('trusts only peers inside the listed ranges', async () => {
    const list = '10.0.0.0/24, 127.0.0.1';

    expect(await whoami(list, '10.0.0.2')).toEqual({ ip: '198.51.100.7', protocol: 'https' });
    expect(await whoami(list, '192.0.2.50')).toEqual({ ip: '192.0.2.50', protocol: 'http' });
    expect(await whoami('loopback', '10.0.0.2')).toEqual({ ip: '10.0.0.2', protocol: 'http' });
  });

  // A hop count trusts whoever is nearest, a client talking to the service directly included,
  // which could then claim any address; fastify 5 fails closed on one for that reason.
  it('refuses anything else, hop counts included, naming the variable', () => {
    const values = ['yes', '0', '1', '2', '10.0.0.0/33', '10.0.0.1/8/2', 'example.com', '1.2.3'];

    for (const value of values) {
      try {
        loadConfig(baseConfigSchema, { PORT: '0', TRUST_PROXY: value });
        expect.unreachable(value);
      } catch (error) {
        expect(error, value).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).issues.map((issue) => issue.variable)).toEqual([
          'TRUST_PROXY',
        ]);
      }
    }
  });
});
