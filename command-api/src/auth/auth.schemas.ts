import { z } from '../http/zod.js';
import { weakPasswordReason } from './passwords.js';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be a valid email address' }));
const password = z.string().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters');

export const registerBody = z
  .object({
    email,
    password,
    name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  })
  .superRefine((body, ctx) => {
    const reason = weakPasswordReason(body.password, body.email);
    if (reason) ctx.addIssue({ code: 'custom', path: ['password'], message: reason });
  });

/** Login checks shape only: the policy may have changed since the password was set. */
export const loginBody = z.object({
  email,
  password: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
});

/** 32 random bytes, base64url without padding. */
export const refreshBody = z.object({
  refreshToken: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a refresh token'),
});

export const userDto = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['admin', 'user']),
    disabled: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .openapi('User');

export const sessionDto = z
  .object({
    user: userDto,
    accessToken: z.string(),
    refreshToken: z.string(),
    /** Access-token lifetime, seconds. */
    expiresIn: z.number().int(),
  })
  .openapi('Session');
