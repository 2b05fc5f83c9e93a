import { Agent, request as httpRequest } from 'node:http';

/** One HTTP request exactly as a (possibly hostile) client sends it. */
export interface RawRequest {
  method: 'GET' | 'POST';
  /** Path and query string, e.g. `/graphql?query=…`. */
  path: string;
  headers: Readonly<Record<string, string>>;
  /** Sent as is: a string goes out as UTF-8, a Buffer byte for byte. */
  body?: string | Buffer;
}

/** What came back; `status` 0 when no answer came at all (connection reset, timeout). */
export interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Why there was no answer, when status is 0. */
  failure?: string;
  ms: number;
}

export interface HttpPoolOptions {
  /** e.g. `http://127.0.0.1:4000` */
  origin: string;
  /** Requests in flight at a time, each on a kept-alive connection of its own. */
  concurrency: number;
  /** A request that takes longer counts as hanging. */
  timeoutMs: number;
}

/** Sends requests over a few kept-alive connections, `concurrency` at a time, like a busy client. */
export class HttpPool {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(private readonly options: HttpPoolOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
    this.url = new URL(options.origin);
  }

  /** One request; never rejects (a failure is an answer with status 0). */
  send(request: RawRequest): Promise<RawAnswer> {
    const started = performance.now();
    return new Promise((resolve) => {
      const finish = (answer: Omit<RawAnswer, 'ms'>): void => resolve({ ...answer, ms: performance.now() - started });
      const req = httpRequest(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: request.method,
          path: request.path,
          headers:
            request.body === undefined
              ? request.headers
              : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          timeout: this.options.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            finish({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', (error) => finish({ status: 0, contentType: '', body: '', failure: error.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      req.on('error', (error) => finish({ status: 0, contentType: '', body: '', failure: error.message }));
      req.end(request.body);
    });
  }

  /** Sends every request, `concurrency` at a time, taking them as they come, and hands each answer to `onAnswer`. */
  async sendAll<T extends { request: RawRequest }>(
    items: Iterable<T>,
    onAnswer: (item: T, answer: RawAnswer) => void,
  ): Promise<void> {
    const iterator = items[Symbol.iterator]();
    const worker = async (): Promise<void> => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        onAnswer(next.value, await this.send(next.value.request));
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
  }

  close(): void {
    this.agent.destroy();
  }
}
