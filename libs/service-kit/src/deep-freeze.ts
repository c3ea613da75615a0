/**
 * Freezes a value and everything reachable from it, so configuration and reference data cannot
 * be changed after start-up by any code that receives them. Returns the same value.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const nested of Object.values(value)) {
      deepFreeze(nested);
    }

    Object.freeze(value);
  }

  return value;
}
