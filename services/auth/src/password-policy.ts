/**
 * Length is the rule (NIST SP 800-63B): long passphrases are allowed, nothing about character
 * classes is demanded. Lengths count Unicode code points after NFKC normalisation, which is also
 * the form that gets hashed, so the same passphrase typed on another keyboard still matches.
 */
export const passwordLength = { min: 12, max: 256 } as const;

export type PasswordProblem = 'too_short' | 'too_long';

/** The normalised password to hash or check. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** What is wrong with a new password, or undefined when it may be used. */
export function findPasswordProblem(password: string): PasswordProblem | undefined {
  const length = [...normalisePassword(password)].length;
  if (length < passwordLength.min) return 'too_short';
  if (length > passwordLength.max) return 'too_long';

  return undefined;
}
