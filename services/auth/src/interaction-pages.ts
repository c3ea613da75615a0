import { type AuthErrorCode, authErrors } from './errors.ts';
import { escapeHtml, form, notice, page } from './html-pages.ts';
import { describeScope } from './scope-descriptions.ts';

export interface SignInPage {
  readonly uid: string;
  readonly csrfToken: string;
  /** Kept in the form after a failed try; the password never is. */
  readonly email?: string;
  readonly problem?: 'refused' | 'locked';
}

/** The same words for an unknown email and a wrong password, so neither can be told apart. */
const signInProblems = {
  refused: 'The email or password is not right.',
  locked: 'Too many failed sign-ins. Wait a while, then try again.',
} as const;

export function renderSignIn(view: SignInPage): string {
  const fields = [
    { name: 'email', label: 'Email', type: 'email', autocomplete: 'username', value: view.email },
    { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
  ] as const;
  const action = `/interaction/${encodeURIComponent(view.uid)}/sign-in`;

  return page(
    'Sign in to Footfall',
    notice(view.problem === undefined ? undefined : signInProblems[view.problem]) +
      form(action, view.csrfToken, fields, [['sign-in', 'Sign in']]),
  );
}

export interface ConsentPage {
  readonly uid: string;
  readonly csrfToken: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export function renderConsent(view: ConsentPage): string {
  const items = view.scopes.map((scope) => `<li>${escapeHtml(describeScope(scope))}</li>`);
  const action = `/interaction/${encodeURIComponent(view.uid)}/consent`;

  return page(
    'Allow access?',
    `<p><strong>${escapeHtml(view.clientId)}</strong> asks to act for you:</p>` +
      `<ul>${items.join('')}</ul>` +
      form(
        action,
        view.csrfToken,
        [],
        [
          ['allow', 'Allow'],
          ['deny', 'Deny'],
        ],
      ),
  );
}

/** A catalogued error as a page: its message, and its code for support. */
export function renderPageError(code: AuthErrorCode): string {
  const { message } = authErrors.create(code);

  return page('Something needs your attention', `${notice(message)}<p><small>${code}</small></p>`);
}
