import type { ServiceApp } from '@footfall/service-kit';
import { stylesheet, stylesheetPath } from './html-pages.ts';

/** The pages' stylesheet, served from this origin because the CSP allows no other. */
export async function pageAssets(app: ServiceApp): Promise<void> {
  app.get(stylesheetPath, async (_request, reply) => {
    return reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(stylesheet);
  });
}
