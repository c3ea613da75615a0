import { ConfigError } from './config.ts';

/**
 * Runs a process's entry point. A configuration error is printed as one JSON line naming every
 * bad variable, and any other start-up failure as one JSON line with its message; both exit 1.
 */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const line =
      error instanceof ConfigError
        ? { level: 'fatal', service, msg: 'invalid configuration', issues: error.issues }
        : { level: 'fatal', service, msg: 'start-up failed', err: describe(error) };

    process.stderr.write(`${JSON.stringify(line)}\n`);
    process.exit(1);
  });
}

function describe(error: unknown) {
  return error instanceof Error ? { type: error.name, message: error.message } : String(error);
}
