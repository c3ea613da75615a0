import pg from 'pg';

/**
 * Connects one client, runs `work` with it and always disconnects; for tests that act as a
 * particular role. A failed connection rejects like any query, with the server's SQLSTATE in
 * `code` (42501 when the role lacks CONNECT, 28P01 for a wrong password).
 */
export async function withClient<T>(
  connectionString: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString, application_name: 'footfall-test' });
  await client.connect();

  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs one statement as the URL's role, for a one-line assertion on what that role may do. */
export async function queryAs(
  connectionString: string,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult> {
  return withClient(connectionString, (client) => client.query(text, values));
}
