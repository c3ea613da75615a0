import { AppError } from '@footfall/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AllowedAlgorithm, createTokenVerifier } from '../src/index.ts';
import { LocalIssuer } from './local-issuer.ts';

const audience = 'https://customer.footfall.test';

let issuer: LocalIssuer;

beforeAll(async () => {
  issuer = await LocalIssuer.start();
});

afterAll(() => issuer?.close());

function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );
}

describe('createTokenVerifier', () => {
  it('caches the key set: many tokens, one fetch', async () => {
    const verifier = createTokenVerifier({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience,
    });
    const before = issuer.requests.jwks;

    for (let index = 0; index < 5; index += 1) {
      await verifier.verify(await issuer.sign(audience));
    }

    expect(issuer.requests.jwks).toBe(before + 1);
  });

  it('does not refetch the key set for every unknown kid while cooling down', async () => {
    const verifier = createTokenVerifier({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience,
      jwksCooldownMs: 60_000,
    });
    await verifier.verify(await issuer.sign(audience));
    const before = issuer.requests.jwks;
    const unknown = await issuer.rotate('ES256', false);

    for (let index = 0; index < 5; index += 1) {
      const token = await issuer.sign(audience, { kid: unknown });
      expect(await codeOf(verifier.verify(token))).toBe('AUTH_TOKEN_INVALID');
    }

    expect(issuer.requests.jwks).toBe(before);
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const down = await LocalIssuer.start();
    const token = await down.sign(audience);
    await down.close();
    const verifier = createTokenVerifier({ issuer: down.issuer, jwksUrl: down.jwksUrl, audience });

    expect(await codeOf(verifier.verify(token))).toBe('AUTH_KEYS_UNAVAILABLE');
  });

  it('refuses a symmetric or unsigned algorithm in its allow-list as a programming mistake', () => {
    for (const algorithm of ['HS256', 'none']) {
      const options = {
        issuer: issuer.issuer,
        jwksUrl: issuer.jwksUrl,
        audience,
        algorithms: [algorithm as AllowedAlgorithm],
      };
      expect(() => createTokenVerifier(options)).toThrow(TypeError);
    }
  });

  it('refuses a valid signature whose algorithm the service did not allow', async () => {
    const verifier = createTokenVerifier({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience,
      algorithms: ['EdDSA'],
    });
    const token = await issuer.sign(audience, { kid: await issuer.rotate('ES256') });

    expect(await codeOf(verifier.verify(token))).toBe('AUTH_TOKEN_INVALID');
  });

  it('accepts only ES256, as the auth service signs, unless told otherwise', async () => {
    const verifier = createTokenVerifier({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience,
    });
    const token = await issuer.sign(audience, { kid: await issuer.rotate('EdDSA') });

    expect(await codeOf(verifier.verify(token))).toBe('AUTH_TOKEN_INVALID');
    await issuer.rotate('ES256');
  });

  it('verifies a reused token once, and every time when the cache is off', async () => {
    const refetchAlways = {
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience,
      jwksCacheMaxAgeMs: 0,
    };
    const cached = createTokenVerifier(refetchAlways);
    const uncached = createTokenVerifier({ ...refetchAlways, verifiedTokenCacheSize: 0 });
    const token = await issuer.sign(audience);

    const before = issuer.requests.jwks;
    await cached.verify(token);
    await cached.verify(token);
    expect(issuer.requests.jwks).toBe(before + 1);

    await uncached.verify(token);
    await uncached.verify(token);
    expect(issuer.requests.jwks).toBe(before + 3);
  });

  it('refuses a remembered token once it has expired', async () => {
    let now = Date.now();
    const verifier = createTokenVerifier({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience,
      clock: () => now,
    });
    const token = await issuer.sign(audience);
    await verifier.verify(token);

    now += 301_000 + 5_000;

    expect(await codeOf(verifier.verify(token))).toBe('AUTH_TOKEN_EXPIRED');
  });

  it('does not let a remembered signature vouch for a changed payload', async () => {
    const verifier = createTokenVerifier({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience,
    });
    const token = await issuer.sign(audience, { claims: { scope: 'stores:read' } });
    await verifier.verify(token);
    const [header, payload = '', signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'customer:admin' })).toString(
      'base64url',
    );

    expect(await codeOf(verifier.verify(`${header}.${widened}.${signature}`))).toBe(
      'AUTH_TOKEN_INVALID',
    );
  });
});

describe('audience and age', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const verifierFor = (maxTokenAgeSeconds?: number) =>
    createTokenVerifier({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience,
      ...(maxTokenAgeSeconds === undefined ? {} : { maxTokenAgeSeconds }),
    });

  // jose alone accepts an array that includes the audience; the auth service issues a string.
  it.each([
    ['an array naming it among others', [audience, 'https://dashboard.footfall.test']],
    ['an array naming only it', [audience]],
  ])('refuses aud as %s (T2)', async (_name, aud) => {
    const token = await issuer.sign(audience, { claims: { aud } });

    expect(await codeOf(verifierFor().verify(token))).toBe('AUTH_TOKEN_INVALID');
  });

  it('refuses a token without iat, or issued in the future', async () => {
    const undated = await issuer.sign(audience, { claims: { iat: undefined } });
    const ahead = await issuer.sign(audience, { claims: { iat: now() + 120 } });

    expect(await codeOf(verifierFor().verify(undated))).toBe('AUTH_TOKEN_INVALID');
    expect(await codeOf(verifierFor().verify(ahead))).toBe('AUTH_TOKEN_INVALID');
  });

  it('refuses a token issued more than 10 minutes ago as expired, whatever its exp', async () => {
    const old = await issuer.sign(audience, { claims: { iat: now() - 620, exp: now() + 60 } });
    const recent = await issuer.sign(audience, { claims: { iat: now() - 240, exp: now() + 60 } });

    expect(await codeOf(verifierFor().verify(old))).toBe('AUTH_TOKEN_EXPIRED');
    expect(await codeOf(verifierFor().verify(recent))).toBe('accepted');
  });

  it('refuses a fresh token that claims to live longer than the maximum age', async () => {
    const yearLong = await issuer.sign(audience, { claims: { exp: now() + 365 * 86_400 } });
    const tenMinutes = await issuer.sign(audience, { claims: { exp: now() + 600 } });

    expect(await codeOf(verifierFor().verify(yearLong))).toBe('AUTH_TOKEN_INVALID');
    expect(await codeOf(verifierFor().verify(tenMinutes))).toBe('accepted');
  });

  it('takes another maximum age as an option', async () => {
    const minute = verifierFor(60);
    const fiveMinutes = await issuer.sign(audience);
    const halfMinute = await issuer.sign(audience, { claims: { exp: now() + 30 } });
    const old = await issuer.sign(audience, { claims: { iat: now() - 90, exp: now() + 30 } });

    expect(await codeOf(minute.verify(fiveMinutes))).toBe('AUTH_TOKEN_INVALID');
    expect(await codeOf(minute.verify(halfMinute))).toBe('accepted');
    expect(await codeOf(minute.verify(old))).toBe('AUTH_TOKEN_EXPIRED');
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses maxTokenAgeSeconds %s as a programming mistake',
    (maxTokenAgeSeconds) => {
      expect(() => verifierFor(maxTokenAgeSeconds)).toThrow(TypeError);
    },
  );
});
