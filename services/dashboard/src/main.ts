import { loadConfig, runMain, startService } from '@footfall/service-kit';
import { buildApp, serviceName } from './app.ts';
import { configSchema } from './config.ts';

runMain(serviceName, async () => {
  const config = loadConfig(configSchema, process.env);
  const app = await buildApp(config);
  await startService(app, config);
});
