import { z } from 'zod';
import { id, role } from './common.schemas.js';

export const memberParams = z.object({ boardId: id, userId: id });

/** Name the person by account email or by user id, exactly one of them. */
export const addMemberBody = z
  .strictObject({ email: z.email().max(254).optional(), userId: id.optional(), role })
  .refine((body) => (body.email === undefined) !== (body.userId === undefined), {
    message: 'give email or userId, exactly one',
    path: ['email'],
  });

export const changeRoleBody = z.strictObject({ role });
