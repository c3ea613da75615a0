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
const attributeLimits = Object.freeze({
  maxCount: 64,
  maxNameBytes: 256,
  maxValueBytes: 1024,
  reservedPrefixes: ['goog', transportAttributePrefix],
});

/** What is wrong with a message's attributes, and what they cost. */
export interface AttributeCheck {
  /** One line per problem; empty when nothing is. */
  readonly problems: readonly string[];
  /** The bytes the names and values add to a message, counted against the message size limit. */
  readonly bytes: number;
}

/** Checks attributes against the limits, measuring each name and value once. */
export function checkAttributes(attributes: unknown): AttributeCheck {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    return { problems: ['attributes must be an object of strings'], bytes: 0 };
  }

  const entries = Object.entries(attributes);
  const { maxCount } = attributeLimits;
  const problems =
    entries.length > maxCount ? [`${entries.length} attributes; at most ${maxCount}`] : [];
  let bytes = 0;

  for (const [name, value] of entries) {
    const measured = { name: Buffer.byteLength(name, 'utf8'), value: byteLengthOf(value) };
    problems.push(...problemsOf(name, value, measured));
    bytes += measured.name + measured.value;
  }

  return { problems, bytes };
}

interface Measured {
  readonly name: number;
  readonly value: number;
}

function byteLengthOf(value: unknown): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
}

// Names are safe to repeat in an error: they are the producer's own constants. Values are not.
function problemsOf(name: string, value: unknown, measured: Measured): string[] {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return [
    ...nameProblems(name, measured.name, shown),
    ...valueProblems(value, measured.value, shown),
  ];
}

function nameProblems(name: string, bytes: number, shown: string): string[] {
  const { maxNameBytes, reservedPrefixes } = attributeLimits;
  const reserved = reservedPrefixes.find((prefix) => name.startsWith(prefix));

  if (bytes === 0) return ['an attribute name is empty'];
  if (bytes > maxNameBytes) return [`name ${shown} is ${bytes} bytes; at most ${maxNameBytes}`];
  if (reserved !== undefined) return [`name ${shown}: the prefix ${reserved} is reserved`];

  return [];
}

function valueProblems(value: unknown, bytes: number, shown: string): string[] {
  const { maxValueBytes } = attributeLimits;

  if (typeof value !== 'string') return [`value of ${shown} is not a string`];
  return bytes > maxValueBytes
    ? [`value of ${shown} is ${bytes} bytes; at most ${maxValueBytes}`]
    : [];
}
