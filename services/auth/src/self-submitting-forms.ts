import type Provider from 'oidc-provider';
import { buttonForm, page } from './html-pages.ts';

type Middleware = Parameters<Provider['use']>[0];

interface HiddenForm {
  readonly action: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The entities oidc-provider escapes in the attribute values of its pages. */
const entities: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/**
 * A few provider steps answer with a page whose script submits a hidden form as soon as it
 * loads: the `form_post` response mode, sign-out for a browser that is not signed in, and
 * switching accounts. The strict Content-Security-Policy forbids that script (the provider would
 * add its hash to `script-src`), and `<noscript>` does not show in a browser whose scripts are
 * merely blocked, so the page would stay blank. This middleware serves the same form as one of
 * the service's pages, with a button, and keeps the policy the response had before the provider
 * touched it. A page it cannot read keeps its script, which the restored policy then blocks.
 */
export function replaceSelfSubmittingForms(): Middleware {
  return async (ctx, next) => {
    const policy = ctx.response.get('content-security-policy');
    await next();
    if (typeof ctx.body !== 'string' || !/<script\b/i.test(ctx.body)) return;

    const form = readHiddenForm(ctx.body);
    if (form !== undefined) ctx.body = renderContinue(form);
    if (policy !== '') ctx.set('content-security-policy', policy);
  };
}

// The action and hidden fields of the provider's self-submitting page, or undefined.
function readHiddenForm(html: string): HiddenForm | undefined {
  const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1];
  if (action === undefined) return undefined;

  const inputs = html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/>/g);
  const fields = [...inputs].map(([, name = '', value = '']) => [
    decodeEntities(name),
    decodeEntities(value),
  ]);

  return { action: decodeEntities(action), fields: Object.fromEntries(fields) };
}

function renderContinue(form: HiddenForm): string {
  return page(
    'Continue to Footfall',
    '<p>One more step: continue to go on where you were headed.</p>' +
      buttonForm(form.action, form.fields, { label: 'Continue' }),
  );
}

function decodeEntities(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity);
}
