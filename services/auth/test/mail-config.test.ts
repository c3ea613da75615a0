import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.ts';
import { mailSettingsOf } from '../src/mail-config.ts';
import { failingVariables, validEnvironment } from './config-environment.ts';

const from = 'Footfall <no-reply@example.com>';

function settingsOf(env: Record<string, string>) {
  return mailSettingsOf(configSchema.parse({ ...validEnvironment, ...env }));
}

describe('auth mail configuration', () => {
  it('configures no mail without an SMTP server: links go back to the caller', () => {
    expect(settingsOf({})).toBeUndefined();
  });

  it('requires STARTTLS on port 587 by default', () => {
    expect(settingsOf({ AUTH_SMTP_HOST: 'smtp.example.com', AUTH_MAIL_FROM: from })).toEqual({
      host: 'smtp.example.com',
      port: 587,
      tls: 'starttls',
      auth: undefined,
      from,
      timeoutMs: 10_000,
    });
  });

  it('reads host, port, credentials and implicit TLS from an smtps:// URL', () => {
    const url = 'smtps://mailer:p%40ss@smtp.example.com';

    expect(settingsOf({ AUTH_SMTP_URL: url, AUTH_MAIL_FROM: from })).toMatchObject({
      host: 'smtp.example.com',
      port: 465,
      tls: 'implicit',
      auth: { user: 'mailer', pass: 'p@ss' },
    });
  });

  it('takes the user and password from their own variables, beside a host', () => {
    const env = {
      AUTH_SMTP_HOST: 'smtp.example.com',
      AUTH_SMTP_PORT: '2525',
      AUTH_SMTP_USER: 'mailer',
      AUTH_SMTP_PASSWORD: 'secret',
      AUTH_MAIL_FROM: 'no-reply@example.com',
    };

    expect(settingsOf(env)).toMatchObject({ port: 2525, auth: { user: 'mailer', pass: 'secret' } });
  });

  it.each(['127.0.0.1', '127.0.0.53', 'localhost', '::1'])(
    'allows plain SMTP to the loopback host %s, as the issuer may be one',
    (host) => {
      const env = { AUTH_SMTP_HOST: host, AUTH_SMTP_TLS: 'none', AUTH_MAIL_FROM: from };

      expect(settingsOf(env)?.tls).toBe('none');
    },
  );

  it.each(['smtp.example.com', '127.999.0.1', '128.0.0.1', 'localhost.example.com'])(
    'refuses plain SMTP to %s, which is not loopback',
    (host) => {
      const env = { AUTH_SMTP_HOST: host, AUTH_SMTP_TLS: 'none', AUTH_MAIL_FROM: from };

      expect(failingVariables({ ...validEnvironment, ...env })).toEqual(['AUTH_SMTP_TLS']);
    },
  );

  it('refuses a server without a sender, naming AUTH_MAIL_FROM', () => {
    const env = { ...validEnvironment, AUTH_SMTP_HOST: 'smtp.example.com' };

    expect(failingVariables(env)).toEqual(['AUTH_MAIL_FROM']);
  });

  it.each([
    ['a sender that is no address', { AUTH_MAIL_FROM: 'Footfall' }, 'AUTH_MAIL_FROM'],
    [
      'both a URL and a host',
      { AUTH_SMTP_URL: 'smtp://a.example.com', AUTH_SMTP_HOST: 'b.example.com' },
      'AUTH_SMTP_HOST',
    ],
    ['a URL of another scheme', { AUTH_SMTP_URL: 'http://smtp.example.com' }, 'AUTH_SMTP_URL'],
    [
      'smtps:// with STARTTLS',
      { AUTH_SMTP_URL: 'smtps://smtp.example.com', AUTH_SMTP_TLS: 'starttls' },
      'AUTH_SMTP_TLS',
    ],
    [
      'a user without a password',
      { AUTH_SMTP_HOST: 'smtp.example.com', AUTH_SMTP_USER: 'mailer' },
      'AUTH_SMTP_PASSWORD',
    ],
    ['a password without a server', { AUTH_SMTP_PASSWORD: 'secret' }, 'AUTH_SMTP_PASSWORD'],
    [
      'an unknown TLS mode',
      { AUTH_SMTP_HOST: 'smtp.example.com', AUTH_SMTP_TLS: 'ssl' },
      'AUTH_SMTP_TLS',
    ],
  ])('refuses %s, naming the variable', (_case, env, variable) => {
    expect(failingVariables({ ...validEnvironment, AUTH_MAIL_FROM: from, ...env })).toContain(
      variable,
    );
  });
});
