import { choosePassword, cliRedirect, discoverPublicClient, PageBrowser } from '@footfall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { exchangeCode, runCodeFlow } from './code-flow.ts';
import { secretsOf } from './oauth-clients.ts';
import { LogCapture } from './sign-in-session.ts';
import { SmtpPeer } from './smtp-peer.ts';
import { createTestUser } from './test-users.ts';
import { callUserApi, customerUserInput, openLink, userApiToken } from './user-api-calls.ts';

const from = 'Footfall <no-reply@footfall.test>';
const password = 'mailed link passphrase';

let smtp: SmtpPeer;
let server: AuthServer;
let token: string;
const logs = new LogCapture();

beforeAll(async () => {
  smtp = await SmtpPeer.start();
  server = await startAuthServer({
    logDestination: logs.destination,
    env: {
      AUTH_SMTP_HOST: '127.0.0.1',
      AUTH_SMTP_PORT: String(smtp.port),
      AUTH_SMTP_TLS: 'none',
      AUTH_MAIL_FROM: from,
    },
  });
  token = await userApiToken(server);
});

afterAll(async () => {
  await server?.close();
  await smtp?.stop();
});

/** The one link in a mail's body, on its own line. */
function linkIn(text: string): string {
  const found = text.split('\n').filter((line) => line.startsWith(`${server.url}/password/`));
  if (found.length !== 1) throw new Error(`expected one link in:\n${text}`);

  return found[0] ?? '';
}

/** The mails received since `count`, once the API has answered (delivery precedes the answer). */
function mailsSince(count: number) {
  return smtp.received.slice(count);
}

describe('with SMTP configured, the user API', () => {
  it('mails the invitation to the new user and answers without the link', async () => {
    const before = smtp.received.length;
    const input = customerUserInput('mailed');

    const answer = await callUserApi(server, token, 'POST', '/users', input);
    const [mail] = mailsSince(before);

    expect(answer.status).toBe(201);
    expect(answer.body.invitation).toEqual({ delivery: 'sent', expiresAt: expect.any(String) });
    expect(JSON.stringify(answer.body)).not.toContain('/password/');
    expect(mailsSince(before)).toHaveLength(1);
    expect(mail?.envelopeTo).toEqual([input.email.toLowerCase()]);
    expect(mail?.envelopeFrom).toBe('no-reply@footfall.test');
    expect(mail?.headers.get('from')).toBe(from);
    expect(mail?.headers.get('to')).toBe(input.email.toLowerCase());
    expect(mail?.headers.get('subject')).toBe('Your Footfall account: choose a password');
    expect(mail?.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(mail?.text).toContain('The link works once, until ');
  });

  it('mails a link that opens the password page and lets the person sign in', async () => {
    const before = smtp.received.length;
    const input = customerUserInput('follows-link');
    const answer = await callUserApi(server, token, 'POST', '/users', input);
    const link = linkIn(mailsSince(before)[0]?.text ?? '');

    const saved = await choosePassword(link, password);
    const cli = await discoverPublicClient(server, 'footfall-cli');
    const request = {
      configuration: cli,
      redirectUri: cliRedirect,
      scope: 'openid',
    };
    const tokens = await exchangeCode(
      cli,
      await runCodeFlow(server, request, { email: input.email, password }),
    );

    expect(saved.status).toBe(200);
    expect(tokens.claims()?.sub).toBe((answer.body.user as { id: string }).id);
  });

  it('mails password resets and new invitations, answering without their links', async () => {
    const person = await createTestUser(server);
    const before = smtp.received.length;

    const reset = await callUserApi(server, token, 'POST', `/users/${person.id}/password-reset`);
    const invitation = await callUserApi(server, token, 'POST', `/users/${person.id}/invitation`);
    const [resetMail, invitationMail] = mailsSince(before);

    expect(reset.body).toEqual({
      passwordReset: { delivery: 'sent', expiresAt: expect.any(String) },
    });
    expect(invitation.body).toEqual({
      invitation: { delivery: 'sent', expiresAt: expect.any(String) },
    });
    expect(resetMail?.headers.get('subject')).toBe('Choose a new Footfall password');
    expect(resetMail?.envelopeTo).toEqual([person.email]);
    expect((await openLink(new PageBrowser(), linkIn(resetMail?.text ?? ''))).status).toBe(200);
    expect(linkIn(invitationMail?.text ?? '')).not.toBe(linkIn(resetMail?.text ?? ''));
  });

  it('answers 503 AUTH_MAIL_UNAVAILABLE while the SMTP server is down, creating nobody', async () => {
    const input = customerUserInput('outage');
    await smtp.stop();

    const during = await callUserApi(server, token, 'POST', '/users', input);
    await smtp.listen();
    const after = await callUserApi(server, token, 'POST', '/users', input);

    expect(during.status).toBe(503);
    expect(during.body).toEqual({
      code: 'AUTH_MAIL_UNAVAILABLE',
      message: 'The mail could not be sent right now; no link was issued, try again later',
      statusCode: 503,
    });
    expect(after.status).toBe(201);
  });

  it('keeps the previous link working when the mail of a new one fails', async () => {
    const before = smtp.received.length;
    const { body } = await callUserApi(server, token, 'POST', '/users', customerUserInput('keep'));
    const first = linkIn(mailsSince(before)[0]?.text ?? '');
    const id = (body.user as { id: string }).id;
    await smtp.stop();

    const failed = await callUserApi(server, token, 'POST', `/users/${id}/invitation`);
    await smtp.listen();

    expect(failed.body.code).toBe('AUTH_MAIL_UNAVAILABLE');
    expect((await choosePassword(first, password)).status).toBe(200);
  });

  it('answers 502 AUTH_MAIL_REJECTED when the server refuses the recipient', async () => {
    smtp.refuseRecipientsWith = 550;

    const answer = await callUserApi(server, token, 'POST', '/users', customerUserInput('550'));
    smtp.refuseRecipientsWith = undefined;

    expect(answer.status).toBe(502);
    expect(answer.body.code).toBe('AUTH_MAIL_REJECTED');
  });

  it('logs a failed delivery at error with SMTP codes only, and never logs a link', async () => {
    const failures = logs.entries().filter((line) => line.msg === 'link mail not sent');
    const links = smtp.received.map((mail) => linkIn(mail.text));

    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures[0]).toMatchObject({ level: 'error', purpose: expect.any(String) });
    // Connection refused while the peer was stopped; the 550 is about the envelope.
    expect(failures.map((line) => (line.mail as { code?: string }).code)).toEqual(
      expect.arrayContaining(['ESOCKET', 'EENVELOPE']),
    );
    expect(links.length).toBeGreaterThan(0);
    const log = logs.lines.join('');
    // Requests are logged by route pattern (/password/:token), never with a token in the path.
    expect(log).toContain('"route":"/password/:token"');
    expect(log).not.toMatch(/\/password\/[\w-]/);
    for (const link of links) expect(log).not.toContain(link.split('/').at(-1));
  });
});

describe('with STARTTLS required (the default) and a server that does not offer it', () => {
  let plain: SmtpPeer;
  let strict: AuthServer;

  beforeAll(async () => {
    plain = await SmtpPeer.start({ starttls: false });
    strict = await startAuthServer({
      databases: server.databases,
      clientSecrets: secretsOf(server),
      env: {
        AUTH_SMTP_URL: `smtp://127.0.0.1:${plain.port}`,
        AUTH_MAIL_FROM: from,
      },
    });
  });

  afterAll(async () => {
    await strict?.close();
    await plain?.stop();
  });

  it('sends nothing in plain text and answers 503 AUTH_MAIL_UNAVAILABLE', async () => {
    const answer = await callUserApi(
      strict,
      await userApiToken(strict),
      'POST',
      '/users',
      customerUserInput('no-tls'),
    );

    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('AUTH_MAIL_UNAVAILABLE');
    expect(plain.received).toEqual([]);
  });
});
