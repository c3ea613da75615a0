import { loadConfig, runMain, startService } from '@footfall/service-kit';
import { buildApp } from './app.ts';
import { configSchema } from './config.ts';
import { serviceName } from './service-name.ts';

runMain(serviceName, async () => {
  const config = loadConfig(configSchema, process.env);
  const app = await buildApp(config);
  await startService(app, config);
});
