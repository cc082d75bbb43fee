import { z } from 'zod';
import { envelopeDto } from '../boards/common.schemas.js';

/** `after` is the last revision the client has; -1 or absent = from the start. */
export const eventsQuery = z.object({
  after: z.coerce.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).default(-1),
  limit: z.coerce.number().int().min(1).max(1_000).default(500),
});

export const eventsPage = z.object({
  events: z.array(envelopeDto),
  /** The board's revision when read; more events exist when the last returned one is below it. */
  revision: z.number().int(),
});
