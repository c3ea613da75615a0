/**
 * Personal data and credentials that turn up inside free text: error messages, stacks, URLs. Key
 * redaction cannot see them, so logs and error reports scrub the text itself.
 */

// The userinfo of any URL (`scheme://user:password@`, or a token as the user), up to its `@`.
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s@/?#]*(?::[^\s@]*)?@/gi;

// Six hex pairs joined by one separator throughout, as devices print MAC addresses.
const macAddress = /\b[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}\b/gi;

const emailAddress = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/** Replaces the credentials of every URL in the text; cheap when there is no URL. */
export function scrubUrlCredentials(text: string): string {
  if (!text.includes('://') || !text.includes('@')) {
    return text;
  }

  return text.replace(urlCredentials, '$1[redacted]@');
}

/** Replaces MAC addresses; the shortest one is 17 characters, so shorter text is skipped. */
export function scrubMacAddresses(text: string): string {
  return text.length < 17 ? text : text.replace(macAddress, '[mac]');
}

/** What may leave the process in free text: no credentials, MAC or email addresses. */
export function scrubText(text: string): string {
  const withoutSecrets = scrubMacAddresses(scrubUrlCredentials(text));
  return withoutSecrets.includes('@')
    ? withoutSecrets.replace(emailAddress, '[email]')
    : withoutSecrets;
}
