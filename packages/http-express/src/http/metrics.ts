import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, in a registry of its own. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'govgate_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'govgate_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'govgate_decisions_total',
    help: 'Decisions by outcome: allowed, denied, review (allowed but flagged), rejected',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly ledgerAppendSeconds = new Histogram({
    name: 'govgate_ledger_append_duration_seconds',
    help: 'Time from an append call to its durable acknowledgement',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly ledgerBatchEntries = new Histogram({
    name: 'govgate_ledger_batch_entries',
    help: 'Entries made durable together by one ledger commit (group commit batch size)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  readonly ledgerAppendEntries = new Histogram({
    name: 'govgate_ledger_append_entries',
    help: 'Entries per append call',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'govgate_rate_limit_rejections_total',
    help: 'Requests refused with 429',
    registers: [this.registry],
  });

  /** Labelled children per (method, route, status): label hashing once, not per request. */
  private readonly children = new Map<
    string,
    {
      count: ReturnType<ServiceMetrics['requests']['labels']>;
      seconds: ReturnType<ServiceMetrics['requestSeconds']['labels']>;
    }
  >();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'govgate_' });
  }

  /** Counts a finished request and observes its latency. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let child = this.children.get(key);
    if (child === undefined) {
      const labels = { method, route, status: String(status) };
      child = { count: this.requests.labels(labels), seconds: this.requestSeconds.labels(labels) };
      this.children.set(key, child);
    }
    child.count.inc();
    child.seconds.observe(seconds);
  }
}
