export { isRunning, stopChild } from './child-stop.ts';
export { type ReadinessWait, waitUntilReady } from './service-readiness.ts';
