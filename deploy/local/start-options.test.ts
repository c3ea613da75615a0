import { describe, expect, it } from 'vitest';
import { parseStartOptions } from './start-options.ts';

const parse = (argv: string[], env: Record<string, string> = {}) =>
  parseStartOptions(argv, env, '/repository');

describe('parseStartOptions', () => {
  it('leaves the maintenance databases of a given server alone unless told otherwise', () => {
    const url = ['--database-url', 'postgres://admin:secret@db.example:5432/postgres'];

    expect(parse(url).closeMaintenanceDatabases).toBe(false);
    expect(parse([...url, '--close-maintenance-databases']).closeMaintenanceDatabases).toBe(true);
    expect(
      parse(url, { FOOTFALL_CLOSE_MAINTENANCE_DATABASES: 'true' }).closeMaintenanceDatabases,
    ).toBe(true);
  });

  it('reads the options after the `--` that pnpm start passes on', () => {
    const options = parse(['--', '--base-port', '24100', '--help']);

    expect(options).toMatchObject({ basePort: 24100, help: true });
  });

  it('refuses a flag variable that is neither true nor false', () => {
    expect(() => parse([], { FOOTFALL_CLOSE_MAINTENANCE_DATABASES: 'yes' })).toThrow(
      'FOOTFALL_CLOSE_MAINTENANCE_DATABASES must be true or false',
    );
  });
});
