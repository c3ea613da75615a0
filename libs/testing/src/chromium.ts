import { access, constants } from 'node:fs/promises';

/** Where Debian's and most distributions' Chromium packages put the browser. */
const knownPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium browser tests may drive, or the plain reason they cannot run here. */
export type ChromiumAvailability =
  | { readonly executablePath: string }
  | { readonly unavailable: string };

/**
 * Finds a Chromium for browser tests: CHROMIUM_PATH when set, else the usual install paths.
 * `.ci/run` installs Debian's chromium package, so CI always has one.
 */
export async function findChromium(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ChromiumAvailability> {
  const candidates = env.CHROMIUM_PATH ? [env.CHROMIUM_PATH] : knownPaths;

  for (const candidate of candidates) {
    const usable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (usable) return { executablePath: candidate };
  }
  const remedy = 'install it (Debian: apt-get install chromium) or set CHROMIUM_PATH';
  return { unavailable: `no Chromium at ${candidates.join(', ')}; ${remedy}` };
}
