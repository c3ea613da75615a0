/**
 * A real SMTP server in the test process (smtp-server, from the nodemailer project) that keeps
 * every mail it accepts, so tests can read what the auth service sent, refuse recipients, or go
 * away and come back on the same port (an outage).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: readonly string[];
  /** Header names lower-cased; folded lines unfolded. */
  readonly headers: ReadonlyMap<string, string>;
  /** The body, quoted-printable decoded when it was sent so. */
  readonly text: string;
}

export interface SmtpPeerOptions {
  /** Offer STARTTLS (with smtp-server's own self-signed certificate). @default false */
  readonly starttls?: boolean;
}

export class SmtpPeer {
  readonly received: ReceivedMail[] = [];
  /** When set, every RCPT TO is refused with this reply code (e.g. 550: no such mailbox). */
  refuseRecipientsWith: number | undefined;
  port = 0;
  readonly #options: SmtpPeerOptions;
  #server: SMTPServer | undefined;

  private constructor(options: SmtpPeerOptions) {
    this.#options = options;
  }

  /** Listens on a free loopback port. Register `afterAll(() => peer.stop())`. */
  static async start(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
    const peer = new SmtpPeer(options);
    await peer.listen();
    return peer;
  }

  /** Listens again, on the same port once one was chosen. */
  async listen(): Promise<void> {
    const server = this.#createServer();
    server.listen(this.port, '127.0.0.1');
    await once(server.server, 'listening');
    this.port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening: connections to the port are refused until listen() again. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await new Promise<void>((done) => server.close(() => done()));
  }

  #createServer(): SMTPServer {
    return new SMTPServer({
      authOptional: true,
      disabledCommands: this.#options.starttls === true ? [] : ['STARTTLS'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (this.refuseRecipientsWith === undefined) return callback();
        callback(
          Object.assign(new Error('no such mailbox'), {
            responseCode: this.refuseRecipientsWith,
          }),
        );
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.received.push(parseMail(Buffer.concat(chunks).toString('utf8'), session));
          callback();
        });
      },
    });
  }
}

function parseMail(raw: string, session: SMTPServerSession): ReceivedMail {
  const [head = '', ...body] = raw.split('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }

  const encoded = body.join('\r\n\r\n');
  const qp = headers.get('content-transfer-encoding') === 'quoted-printable';
  const from = session.envelope.mailFrom;

  return {
    envelopeFrom: from === false ? '' : from.address,
    envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
    headers,
    text: (qp ? decodeQuotedPrintable(encoded) : encoded).replace(/\r\n/g, '\n'),
  };
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));

  return Buffer.from(bytes, 'latin1').toString('utf8');
}
