import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { openSignIn, submitSignIn } from './sign-in-session.ts';

// The calls are watched, not replaced: argon2 does the real work.
describe('the decoy hash an unknown email is checked against', () => {
  let server: AuthServer;

  beforeAll(async () => {
    server = await startAuthServer();
  });

  afterAll(async () => {
    await server?.close();
    vi.restoreAllMocks();
  });

  it('exists before the app is ready, so the first unknown email costs one check', async () => {
    const ready = await fetch(new URL('/readyz', server.url));
    const session = await openSignIn(server);
    const hashes = vi.spyOn(argon2, 'hash');
    const checks = vi.spyOn(argon2, 'verify');

    const email = `nobody-${randomBytes(6).toString('hex')}@example.test`;
    const refused = await submitSignIn(session, { email, password: 'a wrong password' });

    expect(ready.status).toBe(200);
    expect(refused.status).toBe(401);
    expect(hashes).not.toHaveBeenCalled();
    expect(checks).toHaveBeenCalledTimes(1);
  });
});
