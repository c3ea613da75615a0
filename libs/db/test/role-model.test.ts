import {
  databaseFor,
  listRoles,
  messagingDatabase,
  type ServiceName,
  serviceDatabases,
  serviceNames,
} from '@footfall/db';
import { describe, expect, it } from 'vitest';

describe('the role model', () => {
  it('describes one database per service', () => {
    expect(serviceDatabases.map((database) => database.service)).toEqual([...serviceNames]);
  });

  it('matches the table in docs/database.md', () => {
    const rows = serviceDatabases.map((d) => [
      d.service,
      d.database,
      d.schema,
      d.ownerRole,
      d.runtimeRole,
      d.readOnlyRoles,
    ]);

    expect(rows).toEqual([
      [
        'tracking-ingestion',
        'footfall_ingestion',
        'ingestion',
        'footfall_ingestion_owner',
        'footfall_ingestion_app',
        [],
      ],
      [
        'tracking-computation',
        'footfall_serving',
        'serving',
        'footfall_serving_owner',
        'footfall_computation_app',
        ['footfall_dashboard_reader'],
      ],
      [
        'customer',
        'footfall_customer',
        'customer',
        'footfall_customer_owner',
        'footfall_customer_app',
        [],
      ],
      ['auth', 'footfall_auth', 'auth', 'footfall_auth_owner', 'footfall_auth_app', []],
      [
        'dashboard',
        'footfall_dashboard',
        'dashboard',
        'footfall_dashboard_owner',
        'footfall_dashboard_app',
        [],
      ],
    ]);
  });

  it('lists twelve distinct roles, the messaging owner last', () => {
    const roles = listRoles();

    expect(roles).toHaveLength(12);
    expect(new Set(roles).size).toBe(roles.length);
    expect(roles.at(-1)).toBe('footfall_messaging_owner');
  });

  it('describes the messaging database, which every runtime role may connect to', () => {
    expect(messagingDatabase).toEqual({
      database: 'footfall_messaging',
      schema: 'messaging',
      ownerRole: 'footfall_messaging_owner',
      clientRoles: [
        'footfall_ingestion_app',
        'footfall_computation_app',
        'footfall_customer_app',
        'footfall_auth_app',
        'footfall_dashboard_app',
      ],
    });
    expect(Object.isFrozen(messagingDatabase.clientRoles)).toBe(true);
  });

  it('cannot be changed at run time', () => {
    const serving = databaseFor('tracking-computation');

    expect(Object.isFrozen(serviceDatabases)).toBe(true);
    expect(Object.isFrozen(serving)).toBe(true);
    expect(Object.isFrozen(serving.readOnlyRoles)).toBe(true);
  });

  it('throws a TypeError for a name that is not a service', () => {
    expect(() => databaseFor('billing' as ServiceName)).toThrow(TypeError);
  });
});
