export interface ConnectionUrlParts {
  /** A host name, an IPv4 address or a bare IPv6 address (brackets are added here). */
  readonly host: string;
  readonly port: number;
  /** Letters, digits, `_` and `-` only; see assertUrlSafeDatabase. */
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/**
 * Builds a `postgresql://` URL. Every part is percent-encoded, so a generated password full of
 * `@`, `:`, `/` or `%` still reaches the server unchanged.
 *
 * @example
 * const url = buildConnectionUrl({
 *   host: 'db', port: 5432, database: 'footfall_auth', user: 'footfall_auth_app', password,
 * });
 */
export function buildConnectionUrl(parts: ConnectionUrlParts): string {
  if (!Number.isInteger(parts.port) || parts.port < 1 || parts.port > 65_535) {
    throw new TypeError(`port must be an integer from 1 to 65535, got ${parts.port}`);
  }

  assertUrlSafeDatabase(parts.database);

  const host = parts.host.includes(':') ? `[${parts.host}]` : parts.host;
  const credentials = `${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}`;

  return `postgresql://${credentials}@${host}:${parts.port}/${parts.database}`;
}

/**
 * The same URL pointing at another database on the same server, with the same credentials and
 * options; how an admin connection reaches each service database in turn.
 */
export function replaceUrlDatabase(connectionString: string, database: string): string {
  assertUrlSafeDatabase(database);
  const url = new URL(connectionString);

  url.pathname = `/${database}`;

  return url.toString();
}

/**
 * The same URL with other credentials; how tests log in as each role without knowing where the
 * server runs.
 */
export function replaceUrlCredentials(
  connectionString: string,
  credentials: { readonly user: string; readonly password: string },
): string {
  const url = new URL(connectionString);

  url.username = encodeURIComponent(credentials.user);
  url.password = encodeURIComponent(credentials.password);

  return url.toString();
}

// node-postgres decodes the user and password with decodeURIComponent but the database with
// decodeURI, and URL parsing folds `.` and `..` path segments; a name of plain identifier
// characters is the set that reads back unchanged everywhere, and every platform name is one.
function assertUrlSafeDatabase(database: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(database)) {
    throw new TypeError(
      `database name ${JSON.stringify(database)} must be letters, digits, _ or -`,
    );
  }
}
