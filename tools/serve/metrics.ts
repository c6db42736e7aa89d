/** Prometheus metrics through prom-client, on a registry of the service's own (no global state). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServiceStore } from './queue/types';

export interface ServiceMetrics {
  registry: Registry;
  events: Counter<'source' | 'outcome'>;
  gatherSeconds: Histogram<'outcome'>;
  probes: Counter<'result'>;
  contextReads: Counter<'result'>;
}

export function createMetrics(store: ServiceStore): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'codegenie_serve_' });
  const events = new Counter({ name: 'codegenie_serve_events_total', help: 'Trigger events by source and outcome (accepted, coalesced, duplicate, ignored, refused).', labelNames: ['source', 'outcome'], registers: [registry] });
  const gatherSeconds = new Histogram({ name: 'codegenie_serve_gather_duration_seconds', help: 'Gather duration by outcome.', labelNames: ['outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600], registers: [registry] });
  const probes = new Counter({ name: 'codegenie_serve_probe_tasks_total', help: 'Probe tasks of finished gathers: replayed from cache or recomputed.', labelNames: ['result'], registers: [registry] });
  const contextReads = new Counter({ name: 'codegenie_serve_context_reads_total', help: 'Freshness API answers: hit (already fresh), waited (a gather ran first), stale (cached-only, behind head).', labelNames: ['result'], registers: [registry] });
  for (const state of ['queued', 'running', 'failed'] as const) {
    new Gauge({
      name: `codegenie_serve_jobs_${state}`,
      help: `Jobs currently ${state}.`,
      registers: [registry],
      async collect() {
        this.set((await store.counts())[state]);
      },
    });
  }
  return { registry, events, gatherSeconds, probes, contextReads };
}

/** Share of probe tasks replayed from cache, over this process's lifetime; null before any gather. */
export async function cacheHitRate(metrics: ServiceMetrics): Promise<number | null> {
  const values = (await metrics.probes.get()).values;
  const replayed = values.find((v) => v.labels.result === 'replayed')?.value ?? 0;
  const recomputed = values.find((v) => v.labels.result === 'recomputed')?.value ?? 0;
  return replayed + recomputed === 0 ? null : replayed / (replayed + recomputed);
}
