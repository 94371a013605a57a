import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { startService, type RunningService } from '../server.js';
import { client, tempDir, testConfig, type Client } from './harness.js';

// What an operator reads: one JSON log line per request, and verification progress.
describe('logs and long-running answers', () => {
  const data = tempDir();
  const lines: Record<string, unknown>[] = [];
  let service: RunningService;
  let admin: Client;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    service = await startService(testConfig(data.dir), {
      logger: pino({ level: 'info' }, sink),
      announce: () => undefined,
    });
    admin = client(service.url, service.bootstrap.adminKey);
  });

  afterAll(async () => {
    await service?.stop();
    data.remove();
  });

  it('logs each request as one JSON line with its id, tenant, route, status and latency, never its body', async () => {
    const answer = await admin.post('/v1/check', {
      model: 'gpt-4o',
      operation: 'chat.completion',
      metadata: { owner: 'alice@example.com', ticket: 'T-4711-secret' },
    });
    expect(answer.status).toBe(200);
    const requestId = answer.headers.get('x-request-id');
    await new Promise((resolve) => setImmediate(resolve));
    const line = lines.find((l) => l.requestId === requestId && l.msg === 'request');
    expect(line).toMatchObject({
      level: 30,
      method: 'POST',
      route: '/v1/check',
      status: 200,
      tenant: 'default',
      keyId: service.bootstrap.adminKey?.split('_')[1],
    });
    expect(typeof line?.latencyMs).toBe('number');
    const all = JSON.stringify(lines);
    expect(all).not.toContain('alice@example.com');
    expect(all).not.toContain('T-4711-secret');
    expect(all).not.toContain(service.bootstrap.adminKey);
  });

  it('streams verification progress every 10,000 entries, then the report', async () => {
    const ledger = service.runtime.ledger;
    for (let n = 0; n < 10; n++)
      await ledger.append(
        'default',
        Array.from({ length: 1000 }, (_, i) => ({
          type: 'note',
          actor: 'test',
          data: { n: n * 1000 + i },
        })),
      );
    const size = (await ledger.head('default')).size;
    const answer = await admin.get('/v1/ledger/verify');
    expect(answer.status).toBe(200);
    expect(answer.type).toContain('application/x-ndjson');
    const parsed = answer.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { progress?: { checked: number }; report?: unknown });
    expect(parsed.filter((p) => p.progress !== undefined)).toEqual([
      { progress: { checked: 10_000 } },
    ]);
    expect(parsed.at(-1)).toMatchObject({ report: { ok: true, checked: size } });
  });
});
