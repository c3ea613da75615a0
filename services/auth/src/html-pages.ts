/**
 * The few HTML pages the auth service renders itself (sign-in, consent, choosing a password,
 * signing out, and their errors, the provider's included). Every value is escaped; the pages
 * carry no script at all, so the Content Security Policy below can forbid every script outright.
 */

/** Where the one stylesheet is served; the CSP allows styles from this origin only. */
export const stylesheetPath = '/assets/auth.css';

export interface PageSecurity {
  /** Origins a form on these pages may end up at after the provider's redirects. */
  readonly formTargets: readonly string[];
}

/** The Content-Security-Policy of every page here: nothing but our stylesheet and our forms. */
export function contentSecurityPolicy(security: PageSecurity): string {
  return [
    "default-src 'none'",
    "script-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self' ${security.formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** Escapes text for an HTML element body or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** A whole page around `body`, which must already be escaped HTML. */
export function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)} · Footfall</title>`,
    `<link rel="stylesheet" href="${stylesheetPath}">`,
    '</head>',
    '<body><main>',
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    '</main></body>',
    '</html>',
  ].join('\n');
}

/** A paragraph saying what went wrong, or nothing. */
export function notice(message: string | undefined): string {
  return message === undefined ? '' : `<p class="notice" role="alert">${escapeHtml(message)}</p>`;
}

export interface FormField {
  readonly name: string;
  readonly label: string;
  readonly type: 'email' | 'password' | 'text';
  readonly autocomplete: string;
  readonly value?: string | undefined;
}

/** A POST form with its CSRF token; `buttons` are [name-value, label] pairs. */
export function form(
  action: string,
  csrfToken: string,
  fields: readonly FormField[],
  buttons: readonly (readonly [string, string])[],
): string {
  const inputs = fields.map(
    (field) =>
      `<label>${escapeHtml(field.label)}<input name="${escapeHtml(field.name)}" ` +
      `type="${field.type}" autocomplete="${escapeHtml(field.autocomplete)}" required ` +
      `value="${escapeHtml(field.value ?? '')}"></label>`,
  );
  const submit = buttons.map(
    ([value, label]) =>
      `<button type="submit" name="action" value="${escapeHtml(value)}">` +
      `${escapeHtml(label)}</button>`,
  );

  return [
    `<form method="post" action="${escapeHtml(action)}">`,
    `<input type="hidden" name="csrf" value="${escapeHtml(csrfToken)}">`,
    ...inputs,
    `<div class="actions">${submit.join('')}</div>`,
    '</form>',
  ].join('\n');
}

export interface SubmitButton {
  readonly label: string;
  /** Sent with the form as `name=value` when given. */
  readonly name?: string;
  readonly value?: string;
}

/** A POST form of hidden fields and one button: a step the provider takes once a person agrees. */
export function buttonForm(
  action: string,
  fields: Readonly<Record<string, string>>,
  button: SubmitButton,
): string {
  const inputs = Object.entries(fields).map(
    ([name, value]) =>
      `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
  );
  const sent =
    button.name === undefined
      ? ''
      : ` name="${escapeHtml(button.name)}" value="${escapeHtml(button.value ?? '')}"`;

  return [
    `<form method="post" action="${escapeHtml(action)}">`,
    ...inputs,
    `<div class="actions"><button type="submit"${sent}>${escapeHtml(button.label)}</button></div>`,
    '</form>',
  ].join('\n');
}

/** The stylesheet: plain, readable, no external fonts or images. */
export const stylesheet = `
body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1d2330; margin: 0; }
main { max-width: 24rem; margin: 4rem auto; background: #fff; padding: 2rem;
  border-radius: 0.5rem; box-shadow: 0 1px 4px rgb(0 0 0 / 12%); }
h1 { font-size: 1.4rem; margin-top: 0; }
label { display: block; margin: 1rem 0; font-weight: 600; }
input { display: block; width: 100%; box-sizing: border-box; margin-top: 0.3rem; padding: 0.5rem;
  font: inherit; border: 1px solid #9aa3b2; border-radius: 0.3rem; }
.actions { display: flex; gap: 0.5rem; margin-top: 1.5rem; }
button { font: inherit; padding: 0.5rem 1rem; border: 0; border-radius: 0.3rem;
  background: #2450c7; color: #fff; cursor: pointer; }
button[value="deny"] { background: #6b7280; }
.notice { background: #fdecea; color: #8a1c12; padding: 0.6rem; border-radius: 0.3rem; }
ul { padding-left: 1.2rem; }
`;
