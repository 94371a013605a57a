import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { createApp, type ServiceApp } from './app.js';
import { bootstrap, type BootstrapResult } from './bootstrap.js';
import type { ServiceConfig } from './config.js';
import { HttpProblem, toProblem } from './http/problem.js';
import { openRuntime, type Runtime } from './runtime.js';

export interface StartOptions {
  readonly logger?: Logger;
  readonly version?: string;
  /** How long shutdown waits for in-flight requests before closing connections (default 10 s). */
  readonly drainTimeoutMs?: number;
  /** Where the first-start admin key is announced (default: stdout). */
  readonly announce?: (text: string) => void;
}

/** A running service. */
export interface RunningService {
  readonly server: Server;
  readonly runtime: Runtime;
  readonly service: ServiceApp;
  /** `http://host:port` actually bound (port 0 picks a free one). */
  readonly url: string;
  readonly bootstrap: BootstrapResult;
  /** Stops accepting, drains in-flight requests, flushes usage, closes the ledger and stores. */
  stop(): Promise<void>;
}

/**
 * Opens the runtime, bootstraps the default tenant on first start, and listens.
 * Nothing listens until everything is open and checked.
 *
 * @example
 * const { config } = loadConfig(process.env);
 * const running = await startService(config);
 * process.once('SIGTERM', () => void running.stop());
 */
export async function startService(
  config: ServiceConfig,
  options: StartOptions = {},
): Promise<RunningService> {
  const runtime = await openRuntime(config);
  let service: ServiceApp;
  let boot: BootstrapResult;
  try {
    boot = await bootstrap(runtime);
    service = createApp(runtime, {
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.version === undefined ? {} : { version: options.version }),
    });
  } catch (error) {
    await runtime.close().catch(() => undefined);
    throw error;
  }
  const logger = service.logger;
  const server = createServer(
    { maxHeaderSize: 16 * 1024, requestTimeout: 60_000, headersTimeout: 20_000 },
    service.app,
  );
  server.keepAliveTimeout = 5_000;
  // Oversized headers and malformed requests are answered before Express sees them.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const { body } = toProblem(
      new HttpProblem(
        tooLarge ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST',
        tooLarge ? 'the request headers exceed 16 KiB' : 'the request is not valid HTTP',
      ),
    );
    // The request was never read, so its id (if it sent one) is unknown: a fresh one.
    const requestId = randomUUID();
    const text = JSON.stringify({ ...body, requestId });
    socket.end(
      `HTTP/1.1 ${body.status} ${body.title}\r\nContent-Type: application/problem+json\r\nX-Request-Id: ${requestId}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
    logger.warn({ requestId, status: body.status, code: body.code }, 'request refused unread');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // e.g. EADDRINUSE: release the ledger lock and the stores before reporting it
    await service.close().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  if (boot.adminKey !== undefined) {
    const announce = options.announce ?? ((text: string) => process.stdout.write(`${text}\n`));
    announce(
      [
        'govgate: first start — created tenant "default" and its admin key (shown once):',
        '',
        `  ${boot.adminKey}`,
        '',
        `It is also in ${boot.adminKeyFile ?? 'the data dir'} (mode 0600). Use it as: Authorization: Bearer <key>`,
      ].join('\n'),
    );
  }
  logger.info(
    { url, env: config.env, store: config.store.kind, ledger: config.ledger.kind },
    'govgate listening',
  );
  // The run index is derived from the ledger: catch it up with anything a crash left
  // unindexed (only the entries past each tenant's watermark are read).
  const reindexing = (async () => {
    for (const tenant of await runtime.tenants.list()) {
      const { scanned, indexed } = await runtime.compliance.reindex(tenant.id);
      if (indexed > 0)
        logger.info({ tenant: tenant.id, scanned, indexed }, 'evidence index caught up');
    }
  })().catch((error: unknown) =>
    logger.warn(
      { err: error },
      'evidence reindex failed; verdicts may miss evidence until the next start',
    ),
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down: draining requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = setTimeout(
        () => server.closeAllConnections(),
        options.drainTimeoutMs ?? 10_000,
      );
      timeout.unref();
      // Finished responses free their connections; idle keep-alive ones close now.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      await closed;
      clearInterval(idle);
      await reindexing;
      clearTimeout(timeout);
      await service.close();
      await runtime.close();
      logger.info('govgate stopped: ledger flushed and closed');
      logger.flush();
    })();
    return stopping;
  };
  return { server, runtime, service, url, bootstrap: boot, stop };
}
