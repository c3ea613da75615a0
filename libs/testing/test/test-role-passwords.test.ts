import { assertRolePasswords, listRoles } from '@footfall/db';
import { describe, expect, it } from 'vitest';
import { deriveRolePasswords, generateRolePasswords } from '../src/test-role-passwords.ts';

const shared = 'postgresql://admin:s3cret-admin@db.test:5432/postgres';

describe('role passwords of a test run', () => {
  it('are the same for every run against one shared server, so runs never lock each other out', () => {
    expect(deriveRolePasswords(shared)).toEqual(deriveRolePasswords(shared));
    expect(deriveRolePasswords(shared)).not.toEqual(
      deriveRolePasswords(shared.replace('db.test', 'other.test')),
    );
  });

  it('differ per role, are usable by bootstrap and do not contain the admin password', () => {
    for (const passwords of [deriveRolePasswords(shared), generateRolePasswords()]) {
      expect(() => assertRolePasswords(passwords)).not.toThrow();
      expect(new Set(Object.values(passwords)).size).toBe(listRoles().length);
      expect(Object.values(passwords).join(' ')).not.toContain('s3cret-admin');
    }
  });

  it('are random for a server that belongs to the run', () => {
    expect(generateRolePasswords()).not.toEqual(generateRolePasswords());
  });
});
