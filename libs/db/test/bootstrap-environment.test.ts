import { DbError, listRoles, passwordVariableFor, readBootstrapEnvironment } from '@footfall/db';
import { describe, expect, it } from 'vitest';

const adminUrl = 'postgresql://postgres:secret@127.0.0.1:5432/postgres';

function completeEnvironment(): Record<string, string> {
  const passwords = listRoles().map((role) => [
    passwordVariableFor(role),
    `${role}-password-0123456789`,
  ]);

  return { DATABASE_ADMIN_URL: adminUrl, ...Object.fromEntries(passwords) };
}

describe('readBootstrapEnvironment', () => {
  it('derives each variable name from the role name', () => {
    expect(passwordVariableFor('footfall_ingestion_app')).toBe('FOOTFALL_INGESTION_APP_PASSWORD');
  });

  it('reads the admin URL and a password per role', () => {
    const environment = readBootstrapEnvironment(completeEnvironment());

    expect(environment.adminUrl).toBe(adminUrl);
    expect(environment.passwords.footfall_auth_app).toBe('footfall_auth_app-password-0123456789');
    expect(Object.keys(environment.passwords)).toEqual(listRoles());
  });

  it('names every missing or unusable variable, without its value', () => {
    const env: Record<string, string | undefined> = {
      ...completeEnvironment(),
      DATABASE_ADMIN_URL: 'mysql://elsewhere/db',
      FOOTFALL_AUTH_APP_PASSWORD: 'too-short',
      FOOTFALL_DASHBOARD_READER_PASSWORD: undefined,
    };

    let error: unknown;
    try {
      readBootstrapEnvironment(env);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(DbError);
    expect(error).toMatchObject({ code: 'DB_CONFIG_INVALID' });
    const { problems } = (error as DbError).params;
    for (const name of [
      'DATABASE_ADMIN_URL',
      'FOOTFALL_AUTH_APP_PASSWORD',
      'FOOTFALL_DASHBOARD_READER_PASSWORD',
    ]) {
      expect(problems).toContain(name);
    }
    expect(problems).not.toContain('too-short');
  });
});
