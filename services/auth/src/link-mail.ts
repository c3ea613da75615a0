import type { PasswordLink } from './account-administration.ts';

/** A plain-text mail carrying one link. */
export interface LinkMail {
  readonly subject: string;
  readonly text: string;
}

/**
 * The invitation or password-reset mail: plain text, the link on a line of its own so mail
 * programs make it clickable, and what the person needs to judge whether to use it.
 */
export function composeLinkMail(link: PasswordLink): LinkMail {
  const until = formatUtc(link.expiresAt);

  return link.purpose === 'invitation' ? invitation(link.url, until) : reset(link.url, until);
}

function invitation(url: string, until: string): LinkMail {
  return {
    subject: 'Your Footfall account: choose a password',
    text: [
      'Hello,',
      '',
      'An account on Footfall, the footfall analytics of your stores, has been made for you.',
      'To start, choose your password at this link:',
      '',
      url,
      '',
      `The link works once, until ${until}. If it has expired, ask whoever invited you`,
      'for a new one. If you did not expect this mail, ignore it: nothing happens until the',
      'link is used.',
      '',
      'Footfall',
      '',
    ].join('\n'),
  };
}

function reset(url: string, until: string): LinkMail {
  return {
    subject: 'Choose a new Footfall password',
    text: [
      'Hello,',
      '',
      'A new password was asked for your Footfall account. Choose it at this link:',
      '',
      url,
      '',
      `The link works once, until ${until}. Your current password keeps working until you`,
      'choose the new one; then every session of your account is signed out.',
      'If you did not ask for this, ignore this mail and tell your administrator.',
      '',
      'Footfall',
      '',
    ].join('\n'),
  };
}

// One unambiguous form for every reader, whatever their time zone: 2025-03-04 17:05 UTC.
function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
