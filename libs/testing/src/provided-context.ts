import type { RolePasswords } from '@footfall/db';

/** The PostgreSQL server of a test run, as the global setup hands it to every test file. */
export interface TestPostgres {
  /** A superuser (or equivalent) URL, pointing at the server's maintenance database. */
  readonly adminUrl: string;
  /** One random password per platform role, generated once per run. */
  readonly passwords: RolePasswords;
  /** `embedded`: started for this run; `external`: TEST_DATABASE_URL. */
  readonly source: 'embedded' | 'external';
}

declare module 'vitest' {
  export interface ProvidedContext {
    footfallPostgres: TestPostgres;
  }
}
