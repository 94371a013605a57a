import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, type ServiceConfig } from '../config.js';
import { startService, type RunningService } from '../server.js';

/** A response as the tests look at it. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly type: string;
  // JSON bodies are whatever the route returns; tests assert on them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly text: string;
}

/** A small client for one key. */
export function client(base: string, key?: string) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const init: RequestInit = {
      method,
      headers: {
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined || typeof body === 'string' || body instanceof Uint8Array
          ? {}
          : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : {
            body:
              typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
          }),
    };
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    let parsed: unknown = undefined;
    if (type.includes('json') && !type.includes('ndjson')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, type, body: parsed, text };
  };
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      call('POST', path, body, headers),
    delete: (path: string) => call('DELETE', path),
    call,
  };
}
export type Client = ReturnType<typeof client>;

/** A temporary data dir, removed by `remove`. */
export function tempDir(prefix = 'govgate-e2e-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Config for a test service: ephemeral port, quiet logs, a generous default rate limit. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): ServiceConfig {
  return loadConfig({
    GOVGATE_DATA_DIR: dataDir,
    GOVGATE_BIND: '127.0.0.1:0',
    GOVGATE_LOG_LEVEL: 'silent',
    GOVGATE_RATE_LIMIT: '100000/60s',
    ...env,
  }).config;
}

export function start(config: ServiceConfig): Promise<RunningService> {
  return startService(config, {
    logger: pino({ level: process.env.GOVGATE_TEST_LOG ?? 'silent' }),
    announce: () => undefined,
  });
}

/**
 * A TCP proxy in front of a server, which a test can cut (every connection dropped,
 * nothing accepted) and restore: a database outage without touching the database.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((downstream) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [downstream, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          downstream.destroy();
          upstream.destroy();
        });
      }
      downstream.pipe(upstream);
      upstream.pipe(downstream);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address === 'object' && address !== null) this.port = address.port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  restore(): Promise<void> {
    return this.start();
  }
}
