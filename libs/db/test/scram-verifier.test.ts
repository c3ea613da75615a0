import { createHash, createHmac } from 'node:crypto';
import { createScramVerifier } from '@footfall/db';
import { describe, expect, it } from 'vitest';

// The SCRAM-SHA-256 exchange of RFC 7677, section 3: user "user", password "pencil".
const rfc = {
  password: 'pencil',
  salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
  clientFirstBare: 'n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst:
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinalWithoutProof: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  proof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverSignature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

function parseVerifier(verifier: string) {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (match === null) {
    throw new Error(`not a SCRAM verifier: ${verifier}`);
  }

  const [, iterations, salt, storedKey, serverKey] = match;
  return { iterations: Number(iterations), salt, storedKey, serverKey };
}

describe('createScramVerifier', () => {
  const verifier = createScramVerifier(rfc.password, { salt: Buffer.from(rfc.salt, 'base64') });
  const parts = parseVerifier(verifier);
  const authMessage = [rfc.clientFirstBare, rfc.serverFirst, rfc.clientFinalWithoutProof].join(',');

  it('has the PostgreSQL layout, with the given salt and 4096 iterations', () => {
    expect(parts.iterations).toBe(4096);
    expect(parts.salt).toBe(rfc.salt);
  });

  it('yields the ServerKey that signs the RFC 7677 exchange', () => {
    const key = Buffer.from(parts.serverKey ?? '', 'base64');
    const signature = createHmac('sha256', key).update(authMessage).digest('base64');

    expect(signature).toBe(rfc.serverSignature);
  });

  it('yields the StoredKey that verifies the RFC 7677 client proof', () => {
    // The server's check: ClientKey = proof XOR HMAC(StoredKey, AuthMessage); SHA-256(ClientKey)
    // must equal StoredKey.
    const storedKey = Buffer.from(parts.storedKey ?? '', 'base64');
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from(rfc.proof, 'base64');
    const clientKey = proof.map((byte, index) => byte ^ (signature[index] ?? 0));

    expect(createHash('sha256').update(clientKey).digest('base64')).toBe(parts.storedKey);
  });

  it('uses a fresh random salt each time', () => {
    const first = parseVerifier(createScramVerifier('same password twice'));
    const second = parseVerifier(createScramVerifier('same password twice'));

    expect(first.salt).not.toBe(second.salt);
    expect(Buffer.from(first.salt ?? '', 'base64')).toHaveLength(16);
  });

  it.each(['', 'pässword-with-umlaut', 'tab\tinside'])(
    'rejects %j as a caller mistake',
    (password) => {
      expect(() => createScramVerifier(password)).toThrow(TypeError);
    },
  );
});
