import * as argon2 from 'argon2';

// argon2id with OWASP's minimum profile (19 MiB, t=2, p=1): strong, and cheap enough that a
// login burst on two cores does not starve the exam endpoints.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the email is unknown, so timing does not reveal which emails exist. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy-password-never-matches');
  return decoy;
}

/** Says what is wrong with a new password, or null when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return 'accounts.errors.passwordTooShort';
  if (password.length > 200) return 'accounts.errors.passwordTooLong';
  if (email && password.toLowerCase() === email.toLowerCase()) return 'accounts.errors.passwordIsEmail';
  return null;
}
