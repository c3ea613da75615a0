/**
 * Turns a service's JSON log line into one short readable line for a terminal. The JSON stays
 * the format services write (and what production collects); this is only for `pnpm start`.
 */

const levelLabels: Readonly<Record<string, string>> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO ',
  warn: 'WARN ',
  error: 'ERROR',
  fatal: 'FATAL',
};

/** Fields every line carries, or that are shown in the line's fixed part instead. */
const hiddenFields = new Set(['level', 'time', 'msg', 'service', 'version', 'pid', 'hostname']);

export function formatLogLine(line: string): string {
  const parsed = parseObject(line);

  if (parsed === undefined) {
    return line;
  }

  const time = typeof parsed.time === 'string' ? parsed.time.slice(11, 23) : '';
  const level = levelLabels[String(parsed.level)] ?? String(parsed.level ?? '');
  const extras = Object.entries(parsed)
    .filter(([key]) => !hiddenFields.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);

  return [time, level, String(parsed.msg ?? ''), ...extras].filter(Boolean).join(' ');
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) {
    return undefined;
  }

  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
