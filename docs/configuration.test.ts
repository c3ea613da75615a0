import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema as auth } from '../services/auth/src/config.ts';
import { configSchema as customer } from '../services/customer/src/config.ts';
import { configSchema as dashboard } from '../services/dashboard/src/config.ts';
import { configSchema as computation } from '../services/tracking-computation/src/config.ts';
import { configSchema as ingestion } from '../services/tracking-ingestion/src/config.ts';

const page = readFileSync(join(import.meta.dirname, 'configuration.md'), 'utf8');

/** The body of one `## heading` section of the page. */
function section(heading: string): string {
  const start = page.indexOf(`\n## ${heading}\n`);
  const end = page.indexOf('\n## ', start + 1);
  return start === -1 ? '' : page.slice(start, end === -1 ? undefined : end);
}

const schemas: Record<string, { shape: object }> = {
  'tracking-ingestion': ingestion,
  'tracking-computation': computation,
  customer,
  auth,
  dashboard,
};

describe('docs/configuration.md', () => {
  for (const [service, schema] of Object.entries(schemas)) {
    it(`lists every variable ${service} reads`, () => {
      const documented = section('Every service') + section(service);

      for (const variable of Object.keys(schema.shape)) {
        expect(documented, variable).toMatch(new RegExp(`\\| \`${variable}\`\\s*\\|`));
      }
    });
  }
});
