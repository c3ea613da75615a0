import { z } from 'zod';

/**
 * A point in time as ISO 8601 with an offset, at most nanosecond precision (35 characters), so
 * that the size of every payload holding one has a bound (see messaging's size limit).
 */
export const timestamp = z.iso.datetime({ offset: true }).max(35);
