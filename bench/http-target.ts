/**
 * A target of `bench/http.bench.ts`, run in its own process so that autocannon does
 * not share its event loop:
 *
 *   node --import tsx bench/http-target.ts govgate   the govgate service as configured
 *                                                    by the GOVGATE_* variables
 *   node --import tsx bench/http-target.ts bare      a bare Express 5 app answering
 *                                                    POST /v1/check with a constant
 *
 * Both listen on 127.0.0.1 (port from `--port`, default 0: a free one) through a
 * `node:http` server. Once listening, the target writes one JSON line
 * (`{"url":…,"adminKey":…}`) to file descriptor 3, not stdout, because the service
 * logs to stdout and the benchmark sends that to /dev/null. SIGTERM stops it: the
 * service drains its requests and closes its ledger, then the process exits.
 */
import { createServer, type Server } from 'node:http';
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';

import type expressTypes from '../packages/http-express/node_modules/@types/express/index.d.ts';
import { loadConfig, startService } from '../packages/http-express/src/index.js';

/** What a target announces on fd 3. */
export interface TargetReady {
  readonly url: string;
  readonly adminKey?: string;
}

// express is a dependency of @govgate/http-express, not of the workspace root: load
// the very copy the service uses, so that both targets run the same Express.
const express = createRequire(new URL('../packages/http-express/package.json', import.meta.url))(
  'express',
) as typeof expressTypes;

function announce(ready: TargetReady): void {
  writeSync(3, `${JSON.stringify(ready)}\n`);
}

function portArgument(argv: readonly string[]): number {
  const at = argv.indexOf('--port');
  return at === -1 ? 0 : Number(argv[at + 1]);
}

async function startGovgate(port: number): Promise<void> {
  const { config, warnings } = loadConfig({
    ...process.env,
    GOVGATE_BIND: `127.0.0.1:${port}`,
  });
  for (const warning of warnings) process.stderr.write(`http-target: ${warning}\n`);
  const running = await startService(config, { announce: () => undefined });
  const adminKey = running.bootstrap.adminKey;
  if (adminKey === undefined) throw new Error('http-target: the data dir is not fresh');
  process.once('SIGTERM', () => {
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`http-target: stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
  announce({ url: running.url, adminKey });
}

async function startBare(port: number): Promise<void> {
  const app = express();
  app.post('/v1/check', express.json(), (_req, res) => {
    res.json({ allowed: true, riskScore: 0, reasons: [], review: false });
  });
  // The same node:http settings as the service's server (server.ts).
  const server: Server = createServer(
    { maxHeaderSize: 16 * 1024, requestTimeout: 60_000, headersTimeout: 20_000 },
    app,
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  announce({ url: `http://127.0.0.1:${bound}` });
}

const argv = process.argv.slice(2);
const kind = argv[0];
if (kind === 'govgate') await startGovgate(portArgument(argv));
else if (kind === 'bare') await startBare(portArgument(argv));
else {
  process.stderr.write('usage: node --import tsx bench/http-target.ts govgate|bare [--port N]\n');
  process.exit(2);
}
