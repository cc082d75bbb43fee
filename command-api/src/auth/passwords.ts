import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

/**
 * argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane). `Algorithm` is an ambient const enum,
 * which `isolatedModules` forbids reading, hence the literal.
 */
const argon2id: Options = {
  algorithm: 2 satisfies Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export const hashPassword = (password: string): Promise<string> => hash(password, argon2id);

/** A hash nobody knows the password of, made once, with the same cost as real ones. */
let dummyHash: Promise<string> | undefined;

/**
 * Checks `password` against `passwordHash`; when the account does not exist (`null`) it still runs
 * one full verification, so an unknown email answers in the same time as a wrong password.
 */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

/** Why a password is refused, or null. Length is checked by the schema (10..200). */
export function weakPasswordReason(password: string, email: string): string | null {
  if (new Set(password).size === 1) return 'must not be one repeated character';
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return 'must not be the email address';
  return null;
}
