import { connect, createServer, type Server, type Socket } from 'node:net';

/** What every HTTP/2 client sends before its first frame. */
const clientPreface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const frameHeaderBytes = 9;
const dataFrame = 0x0;
const headersFrame = 0x1;
const rstStreamFrame = 0x3;
const endStreamFlag = 0x1;

/**
 * A TCP proxy for a consumer process that a test kills, standing between it and the Pub/Sub
 * emulator. When the process's connection drops, it half-closes (END_STREAM) every gRPC stream
 * the process left open, which is how the emulator learns a StreamingPull has ended.
 *
 * Why: the emulator does not notice a stream that ends any other way (a reset, a dropped
 * connection): its bundled gRPC throws NoSuchMethodError there (docs/messaging-pubsub.md). The
 * dead stream's server thread then keeps pulling every 50 ms, takes the dead process's messages
 * again each time their acknowledgement deadline runs out and leases them into the void, racing
 * the successor; which one wins is locked to the two 50 ms cycles, so the successor could starve
 * until Pub/Sub's delivery limit. Real Pub/Sub ends a dead client's streams itself; this proxy
 * gives the emulator that signal and nothing else: bytes pass through unchanged while the
 * process lives.
 */
export class StreamReleasingProxy {
  readonly #server: Server;
  readonly #upstreams = new Set<Socket>();
  readonly #target: () => string;
  #port = 0;

  /** `target` gives the emulator's `host:port` when a connection arrives. */
  constructor(target: () => string) {
    this.#target = target;
    this.#server = createServer((client) => this.#relay(client));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new TypeError('not a TCP server');
    this.#port = address.port;
  }

  /** `host:port` to give the consumer process as PUBSUB_EMULATOR_HOST. */
  get host(): string {
    if (this.#port === 0) throw new TypeError('call listen() first');
    return `127.0.0.1:${this.#port}`;
  }

  async close(): Promise<void> {
    for (const upstream of this.#upstreams) upstream.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(client: Socket): void {
    const [host = '', port = ''] = splitHostPort(this.#target());
    const upstream = connect(Number(port), host);
    this.#upstreams.add(upstream);
    upstream.on('close', () => this.#upstreams.delete(upstream));

    // Streams the client opened that neither side has ended; they need the half-close.
    const open = new Set<number>();
    const fromClient = new FrameReader(clientPreface.length);
    const fromServer = new FrameReader(0);

    client.on('data', (chunk: Buffer) => {
      // Only whole frames go on, so the half-closes below never land inside a cut-off frame.
      const frames = fromClient.push(chunk, (frame) => {
        if (frame.type === headersFrame && frame.stream !== 0) open.add(frame.stream);
        if (ends(frame)) open.delete(frame.stream);
      });
      if (frames.length > 0) upstream.write(frames);
    });
    upstream.on('data', (chunk: Buffer) => {
      fromServer.push(chunk, (frame) => {
        if (ends(frame)) open.delete(frame.stream);
      });
      if (!client.destroyed) client.write(chunk);
    });

    client.on('close', () => {
      for (const stream of open) upstream.write(endStream(stream));
      open.clear();
      // The emulator then finishes those calls normally; the connection stays until close().
    });
    client.on('error', () => client.destroy());
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
  }
}

interface FrameHeader {
  readonly type: number;
  readonly flags: number;
  readonly stream: number;
}

/** Splits a byte stream into HTTP/2 frames, after a preface of `prefaceBytes`. */
class FrameReader {
  #pending = Buffer.alloc(0);
  #prefaceLeft: number;

  constructor(prefaceBytes: number) {
    this.#prefaceLeft = prefaceBytes;
  }

  /** Reads what `chunk` completes; returns the preface and whole frames, each seen by `onFrame`. */
  push(chunk: Buffer, onFrame: (frame: FrameHeader) => void): Buffer {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    let complete = 0;

    if (this.#prefaceLeft > 0) {
      complete = Math.min(this.#prefaceLeft, this.#pending.length);
      this.#prefaceLeft -= complete;
      if (this.#prefaceLeft > 0) return this.#take(complete);
    }
    while (this.#pending.length - complete >= frameHeaderBytes) {
      const length = this.#pending.readUIntBE(complete, 3);
      if (this.#pending.length - complete < frameHeaderBytes + length) break;
      onFrame({
        type: this.#pending.readUInt8(complete + 3),
        flags: this.#pending.readUInt8(complete + 4),
        stream: this.#pending.readUInt32BE(complete + 5) & 0x7fffffff,
      });
      complete += frameHeaderBytes + length;
    }
    return this.#take(complete);
  }

  #take(bytes: number): Buffer {
    const taken = this.#pending.subarray(0, bytes);
    this.#pending = this.#pending.subarray(bytes);
    return taken;
  }
}

/** Whether a frame ends its stream in the direction it travels (or outright, for a reset). */
function ends(frame: FrameHeader): boolean {
  if (frame.type === rstStreamFrame) return true;
  const carriesEnd = frame.type === dataFrame || frame.type === headersFrame;
  return carriesEnd && (frame.flags & endStreamFlag) !== 0;
}

/** An empty DATA frame with END_STREAM: the client has nothing more to send on `stream`. */
function endStream(stream: number): Buffer {
  const frame = Buffer.alloc(frameHeaderBytes);
  frame.writeUInt8(dataFrame, 3);
  frame.writeUInt8(endStreamFlag, 4);
  frame.writeUInt32BE(stream, 5);
  return frame;
}

function splitHostPort(hostPort: string): [string, string] {
  const colon = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, colon), hostPort.slice(colon + 1)];
}
