// `pnpm bench`: every hot path's figure beside a baseline measured in the same run, as a ratio.
// Machines are noisy: compare ratios within one run, not figures across runs.
import { cpus } from 'node:os';
import { runAuthBench } from './auth.bench.ts';
import { runAuthServerBench } from './auth-server.bench.ts';
import { runMessagingBench } from './messaging.bench.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

say(`footfall bench on ${cpus().length} cores, Node ${process.version}`);
say('');
say('messaging (1 KB messages)');
await runMessagingBench(say);
await runAuthBench(say);
await runAuthServerBench(say);
