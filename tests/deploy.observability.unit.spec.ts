import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '@primetrade/platform';
import { projectorMetrics } from '@primetrade/projector';
import {
  listenPort,
  loadCompose,
  loadConfig,
  readText,
  readmeAnchors,
  repoRoot,
  roleOf,
  stringEnv,
} from './kit/deployFiles.js';

/**
 * Metric names the code exports: the shared registry and the relay/projector metrics built for
 * real, plus the names that live as literals next to the code that registers them (the HTTP
 * histogram, the Redis gauge).
 */
async function exportedMetricNames(): Promise<Set<string>> {
  const metrics = createMetrics();
  projectorMetrics(metrics.registry);
  const registered = (await metrics.registry.getMetricsAsJSON()).map((metric) => ({
    name: metric.name,
    type: String(metric.type),
  }));
  const names = new Set<string>();
  for (const { name, type } of registered) {
    names.add(name);
    if (type === 'histogram' || type === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  for (const name of literalMetricNames())
    for (const suffix of ['', '_bucket', '_sum', '_count']) names.add(name + suffix);
  return names;
}

function literalMetricNames(): string[] {
  const sources = [
    'platform/src',
    'read-model/src',
    'command-api/src',
    'realtime/src',
    'projector/src',
    'server/src',
  ].flatMap((dir) => sourceFiles(path.join(repoRoot, dir)));
  return sources.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/'(primetrade_[a-z0-9_]+)'/g)].map((match) => match[1] ?? ''),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.includes('.spec.') ? [full] : [];
  });
}

const metricsIn = (expr: string): string[] => [...expr.matchAll(/\bprimetrade_[a-z0-9_]+/g)].map((match) => match[0]);

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readText('infra/observability/grafana-dashboard.json')) as {
  uid: string;
  panels: Panel[];
};
const dashboardExprs = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
);

interface Rule {
  alert: string;
  expr: string;
  labels?: { severity?: string };
  annotations?: { runbook?: string; summary?: string };
}
const alertRules = (
  parse(readText('infra/observability/alerts.yml')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((group) => group.rules);

describe('Observability assets (infra/observability)', () => {
  describe('the Grafana dashboard', () => {
    it('queries only metrics the code exports', async () => {
      const known = await exportedMetricNames();
      expect(dashboardExprs.length).toBeGreaterThan(10);
      for (const { panel, expr } of dashboardExprs) {
        expect(metricsIn(expr).length, panel).toBeGreaterThan(0);
        for (const name of metricsIn(expr)) expect(known.has(name), `${panel}: ${name}`).toBe(true);
      }
    });

    it('covers every stage: commands, appends, relay lag, consumer lag, projection lag, halts, push latency, sockets, breakers', () => {
      const used = new Set(dashboardExprs.flatMap(({ expr }) => metricsIn(expr)));
      for (const name of [
        'primetrade_command_duration_seconds_bucket',
        'primetrade_event_store_append_duration_seconds_bucket',
        'primetrade_relay_lag_events',
        'primetrade_relay_commit_to_ack_seconds_bucket',
        'primetrade_relay_leader',
        'primetrade_bus_consumer_lag_messages',
        'primetrade_projection_lag_revisions',
        'primetrade_projection_lag_seconds',
        'primetrade_projector_halted_partitions',
        'primetrade_push_latency_seconds_bucket',
        'primetrade_sockets_connected',
        'primetrade_breaker_state',
      ])
        expect(used.has(name), name).toBe(true);
    });

    it('has unique panel ids', () => {
      const ids = (dashboard.panels as unknown as { id: number }[]).map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('the alert rules', () => {
    it('alert on relay lag, consumer lag, projection lag, push latency, open breakers, no relay leader, a halted partition and 5xx', () => {
      expect(alertRules.map((rule) => rule.alert).sort()).toEqual([
        'BreakerOpen',
        'ConsumerLagHigh',
        'High5xxRate',
        'NoRelayLeader',
        'ProjectionLagHigh',
        'ProjectorHaltedPartition',
        'PushLatencyHigh',
        'RelayLagHigh',
      ]);
    });

    it('use only metrics the code exports', async () => {
      const known = await exportedMetricNames();
      for (const rule of alertRules) {
        expect(metricsIn(rule.expr).length, rule.alert).toBeGreaterThan(0);
        for (const name of metricsIn(rule.expr)) expect(known.has(name), `${rule.alert}: ${name}`).toBe(true);
      }
    });

    it('each name a severity and a runbook section that exists in docs/operations.md', () => {
      const anchors = readmeAnchors('docs/operations.md');
      for (const rule of alertRules) {
        expect(rule.labels?.severity, rule.alert).toMatch(/^(warning|critical)$/);
        const [file, anchor] = (rule.annotations?.runbook ?? '').split('#');
        expect(file, rule.alert).toBe('docs/operations.md');
        expect(anchors.has(anchor ?? ''), `${rule.alert} → #${anchor}`).toBe(true);
      }
    });
  });

  describe('the Prometheus scrape configuration for compose', () => {
    const prometheus = parse(readText('infra/observability/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets));

    it('scrapes every app service of compose on the port it serves /metrics on', () => {
      const compose = loadCompose();
      const expected = Object.entries(compose.services).flatMap(([name, service]) => {
        const role = roleOf(service.command);
        return role ? [`${name}:${listenPort(role, loadConfig(stringEnv(service.environment)))}`] : [];
      });
      expect([...targets].sort()).toEqual(expected.sort());
    });

    it('loads the alert rules compose mounts', () => {
      const mounts = loadCompose().services.prometheus?.volumes ?? [];
      expect(mounts).toContain('./infra/observability/alerts.yml:/etc/prometheus/alerts.yml:ro');
      expect(prometheus.rule_files).toContain('/etc/prometheus/alerts.yml');
    });
  });
});
