import type { ApolloServerPlugin } from '@apollo/server';
import type { MongoClient } from 'mongodb';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// This module sits below everything it measures: it names only the shapes it reads (structurally a
// SyncSummary, a feed cursor, an UpstreamClient), so that no layer above is imported from here.

/** What one upstream HTTP attempt reports (UpstreamClient's request event). */
export interface ObservedRequest {
  system: string;
  operation: string;
  outcome: string;
  durationMs: number;
}

/** Anything that reports its upstream requests (an UpstreamClient). */
export interface ObservableRequests {
  observe(observer: (event: ObservedRequest) => void): unknown;
}

/** What the metrics read of one sync pass (a SyncSummary). */
export interface SyncPassCounts {
  feeds: readonly {
    feed: string;
    changes: number;
    unchanged: number;
    conflicts: number;
    created: number;
    updated: number;
    deleted: number;
  }[];
}

/** What the metrics read of a feed cursor (a FeedCursorDocument). */
export interface FeedLag {
  _id: string;
  lagMs: number | null;
}

/**
 * The gateway's Prometheus metrics (prom-client), on a registry of its own so that tests and several
 * gateways in one process never share counters. Served at `GET /metrics`.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly requestsShed = new Counter({
    name: 'gateway_requests_shed_total',
    help: 'GraphQL requests answered 503 with Retry-After because every slot and queue place was taken',
    registers: [this.registry],
  });

  readonly graphqlOperations = new Counter({
    name: 'gateway_graphql_operations_total',
    help: 'GraphQL operations served, by operation name and outcome (ok, error)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'gateway_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency, by operation name',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly upstreamRequests = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'HTTP requests to the systems, by system, operation and outcome (ok, rejected, unavailable)',
    labelNames: ['system', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly upstreamDuration = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Latency of requests to the systems, by system',
    labelNames: ['system'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
    registers: [this.registry],
  });

  readonly mongoDuration = new Histogram({
    name: 'gateway_mongodb_command_duration_seconds',
    help: 'MongoDB command latency, by command',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly syncLag = new Gauge({
    name: 'gateway_sync_lag_seconds',
    help: 'Seconds between the newest applied change being made and being applied, per feed',
    labelNames: ['feed'] as const,
    registers: [this.registry],
  });

  readonly syncApplied = new Counter({
    name: 'gateway_sync_changes_applied_total',
    help: 'Feed changes applied by sync passes, per feed',
    labelNames: ['feed'] as const,
    registers: [this.registry],
  });

  readonly syncEchoes = new Counter({
    name: 'gateway_sync_echoes_suppressed_total',
    help: 'Changes that needed no write (echoes of our own writes included), per feed',
    labelNames: ['feed'] as const,
    registers: [this.registry],
  });

  readonly syncConflicts = new Counter({
    name: 'gateway_sync_conflicts_total',
    help: 'Conflicts recorded by sync, per feed',
    labelNames: ['feed'] as const,
    registers: [this.registry],
  });

  readonly syncWrites = new Counter({
    name: 'gateway_sync_writes_total',
    help: 'Records created, updated or deleted by sync, per feed and kind',
    labelNames: ['feed', 'kind'] as const,
    registers: [this.registry],
  });

  /** Where the subscriptions gauge reads its value (the gateway's change feed); none = 0. */
  private liveSubscriptions: () => number = () => 0;

  readonly subscriptions: Gauge = new Gauge({
    name: 'gateway_subscriptions',
    help: 'Subscriptions this process is serving over graphql-ws',
    registers: [this.registry],
    collect: (): void => this.subscriptions.set(this.liveSubscriptions()),
  });

  /** The subscriptions gauge reads `count` whenever /metrics is scraped. */
  observeSubscriptions(count: () => number): void {
    this.liveSubscriptions = count;
  }

  readonly outboxPending = new Gauge({
    name: 'gateway_outbox_pending_operations',
    help: 'Write-through operations not yet applied on both systems',
    registers: [this.registry],
  });

  /** GraphQL operation names that get a label value of their own; every other name is `other`. */
  private readonly operationNames: ReadonlySet<string>;

  /**
   * `operationNames`: the operation names worth a series of their own (the saved examples, the
   * operator pages' own, configured ones). Names come from clients, so anything else is counted as
   * `other`: no caller can grow the number of series.
   */
  constructor(options: { processMetrics?: boolean; operationNames?: Iterable<string> } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    this.operationNames = new Set(options.operationNames ?? []);
  }

  /** Counts every HTTP attempt `client` makes. */
  observeUpstream(client: ObservableRequests): void {
    client.observe((event) => {
      this.upstreamRequests.inc({ system: event.system, operation: event.operation, outcome: event.outcome });
      this.upstreamDuration.observe({ system: event.system }, event.durationMs / 1000);
    });
  }

  /** Times every command of a client created with `monitorCommands: true`. */
  observeMongo(client: MongoClient): void {
    client.on('commandSucceeded', (event) =>
      this.mongoDuration.observe({ command: event.commandName, outcome: 'ok' }, event.duration / 1000),
    );
    client.on('commandFailed', (event) =>
      this.mongoDuration.observe({ command: event.commandName, outcome: 'error' }, event.duration / 1000),
    );
  }

  /** Records what one sync pass did, and each feed's lag as its cursor document says. */
  recordSyncPass(summary: SyncPassCounts, cursors: readonly FeedLag[]): void {
    for (const feed of summary.feeds) {
      this.syncApplied.inc({ feed: feed.feed }, feed.changes);
      this.syncEchoes.inc({ feed: feed.feed }, feed.unchanged);
      this.syncConflicts.inc({ feed: feed.feed }, feed.conflicts);
      this.syncWrites.inc({ feed: feed.feed, kind: 'created' }, feed.created);
      this.syncWrites.inc({ feed: feed.feed, kind: 'updated' }, feed.updated);
      this.syncWrites.inc({ feed: feed.feed, kind: 'deleted' }, feed.deleted);
    }
    for (const cursor of cursors) if (typeof cursor.lagMs === 'number') this.recordLag(cursor._id, cursor.lagMs);
  }

  /** A feed's lag, given in milliseconds (as cursors keep it), exported in seconds. */
  recordLag(feed: string, lagMs: number): void {
    this.syncLag.set({ feed }, lagMs / 1000);
  }

  /** An Apollo Server plugin that counts and times every operation. */
  apolloPlugin<Context extends object>(): ApolloServerPlugin<Context> {
    return {
      requestDidStart: async () => {
        const started = performance.now();
        return {
          willSendResponse: async ({ request, operationName, errors, response }) => {
            const name = operationName ?? request.operationName;
            const operation = name == null ? 'anonymous' : this.operationNames.has(name) ? name : 'other';
            const body = response.body;
            const hasErrors =
              (errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
            this.graphqlOperations.inc({ operation, outcome: hasErrors ? 'error' : 'ok' });
            this.graphqlDuration.observe({ operation }, (performance.now() - started) / 1000);
          },
        };
      },
    };
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
