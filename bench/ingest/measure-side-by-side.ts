import type { Sql } from 'postgres';
import { type CpuSnapshot, cpuSnapshot } from './cpu-time.js';
import { type CopyRate, measureCopyRate } from './measure-copy-rate.js';
import { type HttpRate, measureHttpRate } from './measure-http-rate.js';
import type { PageViewSource } from './page-view-source.js';

export interface SideBySide {
  http: HttpRate;
  copy: CopyRate;
  /** CPU ms per 1,000 events during the HTTP rounds. */
  httpCpu: CpuSnapshot;
  /** Postgres CPU ms per 1,000 events during the COPY rounds. */
  copyPostgresCpu: number;
}

/**
 * Alternates rounds of HTTP flat out and of raw COPY, so that whatever else the machine is doing
 * weighs on both alike, and sums the rounds. Latency percentiles cannot be summed: the worst round's
 * p99 and the middle round's p50 are kept.
 *
 * @example
 * const { http, copy } = await measureSideBySide(deps, { rounds: 3, requestsPerRound: 800, copyEventsPerRound: 100_000, … });
 */
export async function measureSideBySide(
  deps: {
    admin: Sql;
    sql: Sql;
    database: string;
    serviceUrl: string;
    servicePid: number | undefined;
    apiKey: string;
    /** One per round: a COPY cannot upsert, so each round writes visitors and sessions of its own account. */
    copyAccountIds: string[];
    source: PageViewSource;
  },
  options: {
    rounds: number;
    requestsPerRound: number;
    copyEventsPerRound: number;
    connections: number;
    batchSize: number;
    copyWorkers: number;
    log: (message: string) => void;
  },
): Promise<SideBySide> {
  const https: HttpRate[] = [];
  const copies: CopyRate[] = [];
  const httpCpu: CpuSnapshot = { service: 0, postgres: 0, loadGenerator: 0 };
  let copyPostgres = 0;
  const snap = () => cpuSnapshot(deps.admin, deps.servicePid, deps.database);

  for (let round = 1; round <= options.rounds; round++) {
    options.log(`round ${round}/${options.rounds}: ${options.requestsPerRound} requests flat out`);
    let before = await snap();
    const http = await measureHttpRate(deps.serviceUrl, deps.apiKey, deps.source, {
      connections: options.connections,
      batchSize: options.batchSize,
      requests: options.requestsPerRound,
    });
    let after = await snap();
    httpCpu.service += after.service - before.service;
    httpCpu.postgres += after.postgres - before.postgres;
    httpCpu.loadGenerator += after.loadGenerator - before.loadGenerator;
    https.push(http);

    options.log(`round ${round}/${options.rounds}: COPY of ${options.copyEventsPerRound} events`);
    before = await snap();
    copies.push(
      await measureCopyRate(deps.sql, deps.source, {
        accountId: deps.copyAccountIds[round - 1] as string,
        events: options.copyEventsPerRound,
        workers: options.copyWorkers,
      }),
    );
    after = await snap();
    copyPostgres += after.postgres - before.postgres;
  }

  const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((n, item) => n + pick(item), 0);
  const accepted = sum(https, (h) => h.accepted);
  const seconds = sum(https, (h) => h.seconds);
  const requests = sum(https, (h) => h.requests);
  const otherStatuses: Record<number, number> = {};
  for (const h of https) {
    for (const [status, count] of Object.entries(h.otherStatuses)) {
      otherStatuses[Number(status)] = (otherStatuses[Number(status)] ?? 0) + count;
    }
  }
  const p50s = https.map((h) => h.latencyP50Ms).sort((a, b) => a - b);
  const copyEvents = sum(copies, (c) => c.events);
  const copySeconds = sum(copies, (c) => c.seconds);
  const perThousand = (cpuSeconds: number, events: number) => (cpuSeconds * 1e6) / Math.max(1, events);

  return {
    http: {
      seconds,
      requests,
      accepted,
      duplicates: sum(https, (h) => h.duplicates),
      eventsPerSecond: accepted / seconds,
      requestsPerSecond: requests / seconds,
      otherStatuses,
      errors: sum(https, (h) => h.errors),
      timeouts: sum(https, (h) => h.timeouts),
      latencyP50Ms: p50s[Math.floor(p50s.length / 2)] ?? Number.NaN,
      latencyP99Ms: Math.max(...https.map((h) => h.latencyP99Ms)),
    },
    copy: {
      events: copyEvents,
      visitors: sum(copies, (c) => c.visitors),
      sessions: sum(copies, (c) => c.sessions),
      seconds: copySeconds,
      eventsPerSecond: copyEvents / copySeconds,
    },
    httpCpu: {
      service: perThousand(httpCpu.service, accepted),
      postgres: perThousand(httpCpu.postgres, accepted),
      loadGenerator: perThousand(httpCpu.loadGenerator, accepted),
    },
    copyPostgresCpu: perThousand(copyPostgres, copyEvents),
  };
}
