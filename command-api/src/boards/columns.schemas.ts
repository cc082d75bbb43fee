import { z } from 'zod';
import { anchorMessage, columnName, id, onlyOneAnchor, wipLimit } from './common.schemas.js';

export const columnParams = z.object({ boardId: id, columnId: id });

const placement = { beforeColumnId: id.optional(), afterColumnId: id.optional() };

export const addColumnBody = z
  .strictObject({ name: columnName, isDone: z.boolean().optional(), wipLimit: wipLimit.optional(), ...placement })
  .refine(onlyOneAnchor('beforeColumnId', 'afterColumnId'), anchorMessage('beforeColumnId', 'afterColumnId'));

/**
 * Any mix of rename, WIP limit and move; each becomes its own command and all of them are
 * appended as one batch (all-or-nothing, one revision check). A move needs an anchor.
 */
export const updateColumnBody = z
  .strictObject({ name: columnName.optional(), wipLimit: wipLimit.optional(), ...placement })
  .refine(onlyOneAnchor('beforeColumnId', 'afterColumnId'), anchorMessage('beforeColumnId', 'afterColumnId'))
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'give name, wipLimit, beforeColumnId or afterColumnId',
  });
