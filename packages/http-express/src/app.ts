import { randomUUID } from 'node:crypto';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { pino, type Logger } from 'pino';
import { Gatekeeper } from './http/gatekeeper.js';
import { ServiceMetrics } from './http/metrics.js';
import { HttpProblem, toProblem } from './http/problem.js';
import {
  asyncHandler,
  formatOfContentType,
  parseBody,
  readQuery,
  validateBody,
  type BodyFormat,
  type Caller,
  type RouteSpec,
} from './http/route.js';
import { UsageMeter } from './http/usage-meter.js';
import { openApiDocument } from './openapi.js';
import { adminRoutes } from './routes/admin.js';
import { checkRoutes } from './routes/check.js';
import { complianceRoutes } from './routes/compliance.js';
import { CheckpointIndex } from './routes/checkpoint-index.js';
import { ledgerRoutes } from './routes/ledger.js';
import { opsRoutes } from './routes/ops.js';
import { policyRoutes } from './routes/policies.js';
import type { RouteDeps } from './routes/shared.js';
import type { Runtime } from './runtime.js';

export interface AppOptions {
  /** JSON logger (default: pino to stdout at the configured level). */
  readonly logger?: Logger;
  /** Reported by /status and /openapi.json. */
  readonly version?: string;
}

/** The Express app and what it owns; `close` flushes usage counters. */
export interface ServiceApp {
  readonly app: Express;
  readonly routes: readonly RouteSpec[];
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the middleware keeps per request in `res.locals`. */
interface RequestState {
  requestId: string;
  route?: string;
  caller?: Caller;
}
const state = (res: Response): RequestState => res.locals as RequestState;

function sendProblem(req: Request, res: Response, error: unknown, logger: Logger): void {
  const { body, headers, internal } = toProblem(error);
  if (internal)
    logger.error(
      { err: error, requestId: state(res).requestId, route: state(res).route },
      'request failed',
    );
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res
    .status(body.status)
    .type('application/problem+json')
    .send(JSON.stringify({ ...body, instance: req.path, requestId: state(res).requestId }));
}

/** Maps body-parser's errors (they carry a `type`) to problems. */
function bodyReadProblem(error: unknown, limit: number): Error {
  const type = (error as { type?: string } | null)?.type;
  if (type === 'entity.too.large')
    return new HttpProblem(
      'PAYLOAD_TOO_LARGE',
      `the body is larger than ${limit} bytes (GOVGATE_BODY_LIMIT)`,
    );
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new HttpProblem('UNSUPPORTED_MEDIA_TYPE', (error as Error).message);
  if (
    type === 'request.aborted' ||
    type === 'request.size.invalid' ||
    type === 'stream.encoding.set'
  )
    return new HttpProblem('MALFORMED_BODY', (error as Error).message);
  // Anything else the body reader blames on the request (a body that does not
  // decompress, say) is the client's: 400, never a 500.
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new HttpProblem(
      'MALFORMED_BODY',
      `the body could not be read: ${(error as Error).message}`,
    );
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Builds the HTTP API on a runtime: request ids, JSON logs, metrics, authentication,
 * roles, rate limits, parsing and validation from the route specs, problem details.
 *
 * @example
 * const runtime = await openRuntime(loadConfig(process.env).config);
 * const { app } = createApp(runtime);
 * app.listen(8088);
 */
export function createApp(runtime: Runtime, options: AppOptions = {}): ServiceApp {
  const logger = options.logger ?? pino({ level: runtime.config.logLevel });
  const version = options.version ?? '0.1.0';
  const metrics = new ServiceMetrics();
  const meter = new UsageMeter(
    runtime.usage,
    () => runtime.clock.now(),
    1000,
    (error) =>
      logger.warn({ err: error }, 'usage counters could not be written; kept for the next flush'),
  );
  runtime.observeLedger(
    (seconds, entries) => {
      metrics.ledgerAppendSeconds.observe(seconds);
      metrics.ledgerAppendEntries.observe(entries);
    },
    (entries) => metrics.ledgerBatchEntries.observe(entries),
  );
  const checkpoints = new CheckpointIndex(runtime.ledger);
  const deps: RouteDeps = { runtime, metrics, meter, checkpoints, logger, version };
  const gate = new Gatekeeper(runtime, meter, metrics);
  const limit = runtime.config.bodyLimitBytes;
  const rawBody = express.raw({ type: () => true, limit, inflate: true });

  const routes: RouteSpec[] = [
    ...checkRoutes(deps),
    ...policyRoutes(deps),
    ...ledgerRoutes(deps),
    ...complianceRoutes(deps),
    ...adminRoutes(deps),
    ...opsRoutes(deps),
  ];
  let openapi: object | undefined;
  routes.push({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    tag: 'operations',
    roles: 'public',
    responses: { 200: { description: 'OpenAPI 3.1', schema: { type: 'object' } } },
    handler: () => Promise.resolve({ body: (openapi ??= openApiDocument(routes, version)) }),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    const presented = req.headers['x-request-id'];
    const requestId =
      typeof presented === 'string' && REQUEST_ID.test(presented) ? presented : randomUUID();
    state(res).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = state(res).route ?? 'unmatched';
      metrics.observeRequest(req.method, route, res.statusCode, seconds);
      // Never the body: it may hold what the caller must not have sent.
      logger.info(
        {
          requestId,
          method: req.method,
          route,
          status: res.statusCode,
          latencyMs: Math.round(seconds * 1e6) / 1e3,
          tenant: state(res).caller?.tenant,
          keyId: state(res).caller?.key.id,
        },
        'request',
      );
    });
    next();
  });

  const readBody = (req: Request, res: Response): Promise<Buffer | undefined> =>
    new Promise((resolve, reject) => {
      rawBody(req, res, (error?: unknown) => {
        if (error !== undefined && error !== null) reject(bodyReadProblem(error, limit));
        else resolve(Buffer.isBuffer(req.body) ? req.body : undefined);
      });
    });

  for (const route of routes) {
    const handle: RequestHandler = asyncHandler(async (req, res) => {
      state(res).route = route.path;
      let caller: Caller | undefined;
      if (route.roles !== 'public') {
        caller = await gate.authenticate(req);
        state(res).caller = caller;
        // Limited before authorized: a forbidden request takes a token too, and every
        // authenticated answer, a 403 included, carries the RateLimit headers.
        await gate.limit(caller, res, route.unmetered === true);
        gate.authorize(caller, route);
      }
      for (const [name, schema] of Object.entries(route.params ?? {})) {
        const value = req.params[name] as string | undefined;
        const pattern = (schema as { pattern?: string }).pattern;
        if (value === undefined || (pattern !== undefined && !new RegExp(pattern).test(value)))
          throw new HttpProblem('NOT_FOUND', `no ${name} '${String(value)}'`);
      }
      const query =
        route.query === undefined
          ? Object.keys(req.query).length === 0
            ? {}
            : readQuery({ properties: {} }, req.query)
          : readQuery(route.query, req.query);
      let body: unknown;
      let format: BodyFormat = 'json';
      const hasBody =
        req.headers['transfer-encoding'] !== undefined ||
        Number(req.headers['content-length'] ?? 0) > 0;
      if (route.body === undefined && hasBody) {
        // A route that takes no body says so rather than ignore one (an empty JSON
        // object, which some clients always send, is fine).
        const text = (await readBody(req, res))?.toString('utf8').trim() ?? '';
        if (text !== '' && text !== '{}')
          throw new HttpProblem(
            'MALFORMED_BODY',
            `${route.method.toUpperCase()} ${route.path} takes no body`,
          );
      }
      if (route.body !== undefined) {
        const accepted = route.body.formats ?? ['json'];
        if (hasBody) {
          format = formatOfContentType(req.headers['content-type'], accepted);
          const raw = await readBody(req, res);
          body = raw === undefined ? undefined : parseBody(raw, format);
        }
        if (body === undefined) {
          const schema = route.body.schema as { required?: readonly string[] };
          if ((schema.required?.length ?? 0) > 0 || route.body.validate === false)
            throw new HttpProblem(
              'MALFORMED_BODY',
              `this request needs a ${accepted.join(' or ')} body`,
            );
        } else if (route.body.validate !== false) {
          validateBody(route.body.schema, body);
        }
      }
      const reply = await route.handler({
        req,
        res,
        caller: caller as Caller,
        body,
        format,
        query,
        params: req.params as Record<string, string>,
      });
      if (reply === undefined) return;
      for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
      res.status(reply.status ?? 200);
      if (!res.hasHeader('Content-Type'))
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
      const text = JSON.stringify(reply.body);
      res.setHeader('Content-Length', Buffer.byteLength(text));
      res.end(req.method === 'HEAD' ? undefined : text);
    });
    app[route.method](route.path, handle);
  }

  const paths = new Map<string, Set<string>>();
  for (const route of routes) {
    const methods = paths.get(route.path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    paths.set(route.path, methods);
  }
  for (const [path, methods] of paths)
    app.all(path, (req, res) => {
      state(res).route = path;
      res.setHeader('Allow', [...methods].join(', '));
      sendProblem(
        req,
        res,
        new HttpProblem(
          'METHOD_NOT_ALLOWED',
          `${req.method} is not allowed on ${path}; use ${[...methods].join(', ')}`,
        ),
        logger,
      );
    });
  app.use((req, res) => {
    sendProblem(
      req,
      res,
      new HttpProblem('NOT_FOUND', `no route ${req.method} ${req.path}`),
      logger,
    );
  });
  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    sendProblem(req, res, error, logger);
  };
  app.use(onError);

  return {
    app,
    routes,
    metrics,
    logger,
    close: () => meter.close(),
  };
}
