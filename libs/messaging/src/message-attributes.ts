/**
 * The prefix of the names a transport gives its own metadata beside a message (Kafka's
 * `footfall.attempt` header, for one), so no attribute can pass for it.
 */
export const transportAttributePrefix = 'footfall.';

/**
 * Limits on the attributes that travel beside an envelope. They are Pub/Sub's (at most 100
 * attributes, names up to 256 bytes, values up to 1024 bytes, no `goog` prefix) with room left
 * for the attributes the transports add to a dead-letter copy, and without the transports' own
 * prefix, so an attribute set that one transport carries, every transport carries.
 */
export const attributeLimits = Object.freeze({
  maxCount: 64,
  maxNameBytes: 256,
  maxValueBytes: 1024,
  reservedPrefixes: ['goog', transportAttributePrefix],
});

/** What is wrong with a message's attributes, one line per problem; empty when nothing is. */
export function attributeProblems(attributes: unknown): string[] {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    return ['attributes must be an object of strings'];
  }

  const entries = Object.entries(attributes);
  const problems = entries.flatMap(([name, value]) => problemsOf(name, value));

  if (entries.length > attributeLimits.maxCount) {
    problems.unshift(`${entries.length} attributes; at most ${attributeLimits.maxCount}`);
  }

  return problems;
}

/** The bytes attributes add to a message, counted against the message size limit. */
export function attributeBytes(attributes: Readonly<Record<string, string>>): number {
  let bytes = 0;

  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8');
  }

  return bytes;
}

// Names are safe to repeat in an error: they are the producer's own constants. Values are not.
function problemsOf(name: string, value: unknown): string[] {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return [...nameProblems(name, shown), ...valueProblems(value, shown)];
}

function nameProblems(name: string, shown: string): string[] {
  const { maxNameBytes, reservedPrefixes } = attributeLimits;
  const bytes = Buffer.byteLength(name, 'utf8');
  const reserved = reservedPrefixes.find((prefix) => name.startsWith(prefix));

  if (bytes === 0) return ['an attribute name is empty'];
  if (bytes > maxNameBytes) return [`name ${shown} is ${bytes} bytes; at most ${maxNameBytes}`];
  if (reserved !== undefined) return [`name ${shown}: the prefix ${reserved} is reserved`];

  return [];
}

function valueProblems(value: unknown, shown: string): string[] {
  if (typeof value !== 'string') return [`value of ${shown} is not a string`];

  const bytes = Buffer.byteLength(value, 'utf8');
  const { maxValueBytes } = attributeLimits;
  return bytes > maxValueBytes
    ? [`value of ${shown} is ${bytes} bytes; at most ${maxValueBytes}`]
    : [];
}
