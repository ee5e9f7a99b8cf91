import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { parse as parseYaml } from 'yaml';
import { OutboxRelayService } from '../src/events/outbox-relay.service';
import { PasswordHasherService } from '../src/identity/credentials/password-hasher.service';
import { METRICS_REGISTRY } from '../src/metrics/metrics.module';
import { postJson as json, send, sendPasswordLogin } from './support/hostile';
import { startTestApp, TestApp } from './support/test-app';

/*
 * What ships for operations: the metrics the service exposes, the Grafana dashboard (deploy/grafana) and the
 * Prometheus alert rules with their unit tests (deploy/prometheus). The dashboard and the rules may only name
 * metrics that a running service actually serves.
 */
const ROOT = join(__dirname, '..');
const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'kratos-nest.json');
const RULES_DIR = join(ROOT, 'deploy', 'prometheus');
const RULES = join(RULES_DIR, 'kratos-nest-rules.yaml');
const RULE_TESTS = join(RULES_DIR, 'kratos-nest-rules.test.yaml');
const POOL_SIZE = 3;

/** The value of one sample line (`name{labels} value`), or undefined when the scrape has no such series. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Every name a scrape can be queried by: each metric, and a histogram's (or summary's) derived series. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects. Strings, label matchers, ranges, grouping label lists and Grafana
 * variables are taken out first; what is left that looks like an identifier and is neither a function (followed by
 * a parenthesis) nor a keyword is a metric name.
 */
function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/\b(?:\d+(?:ms|[smhdwy]))+\b/g, ' ')
    .replace(/\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = stripped.slice(match.index + match[0].length);
    if (/^\s*\(/.test(rest) || PROMQL_KEYWORDS.has(match[0].toLowerCase())) continue;
    names.push(match[0]);
  }
  return names;
}

interface Panel {
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
  panels?: Panel[];
}

function dashboardPanels(): Panel[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

function ruleExpressions(): Array<{ alert: string; expr: string }> {
  const doc = parseYaml(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  return doc.groups.flatMap((g) => g.rules);
}

function promtool(): string {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new Error('promtool is not installed (Debian package "prometheus"): run scripts/ensure-services.sh, which installs it');
  }
  return path;
}

describe('observability: alert rules', () => {
  it('pass `promtool check rules`', () => {
    const out = execFileSync(promtool(), ['check', 'rules', RULES], { encoding: 'utf8', stdio: 'pipe' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their unit tests (`promtool test rules`): each alert fires when it should and only then', () => {
    const result = spawnSync(promtool(), ['test', 'rules', RULE_TESTS], { cwd: RULES_DIR, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`promtool test rules failed:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toMatch(/SUCCESS/);
    // Every alert has a test, and every test group has a case in which nothing fires.
    const tests = parseYaml(readFileSync(RULE_TESTS, 'utf8')) as { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> };
    const tested = new Set(tests.tests.flatMap((t) => t.alert_rule_test.map((c) => c.alertname)));
    expect([...tested].sort()).toEqual(
      ruleExpressions()
        .map((r) => r.alert)
        .sort(),
    );
    for (const alertname of tested) {
      const cases = tests.tests.flatMap((t) => t.alert_rule_test).filter((c) => c.alertname === alertname);
      expect({ alertname, firing: cases.some((c) => c.exp_alerts.length > 0), silent: cases.some((c) => c.exp_alerts.length === 0) }).toEqual({
        alertname,
        firing: true,
        silent: true,
      });
    }
  });
});

describe('observability: metrics, dashboard and rules against a running service (MariaDB)', () => {
  let app: TestApp;
  let registry: Registry;
  const previousCommit = process.env.BUILD_COMMIT;

  const scrape = async (): Promise<string> => {
    const res = await send(`${app.adminUrl}/metrics`);
    expect(res.status).toBe(200);
    return res.text;
  };
  const login = (identifier: string, password: string) => sendPasswordLogin(app.publicUrl, identifier, password);
  const loginOutcomes = (text: string) =>
    Object.fromEntries(['success', 'invalid_credentials', 'throttled', 'disabled'].map((o) => [o, sample(text, `login_attempts_total{outcome="${o}"}`)]));

  beforeAll(async () => {
    process.env.BUILD_COMMIT = 'abc1234';
    app = await startTestApp({
      dialect: 'mysql',
      env: { DATABASE_POOL_SIZE: String(POOL_SIZE), HASHER_CONCURRENCY: '1', LOGIN_THROTTLE_PER_IDENTIFIER: '3', LOGIN_THROTTLE_WINDOW: '1m' },
    });
    registry = app.app.get<Registry>(METRICS_REGISTRY);
  });
  afterAll(async () => {
    if (previousCommit === undefined) delete process.env.BUILD_COMMIT;
    else process.env.BUILD_COMMIT = previousCommit;
    await app?.destroy();
  });

  it('exposes build_info with the version, the Node version and BUILD_COMMIT', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const text = await scrape();
    expect(sample(text, `build_info{version="${version}",node_version="${process.version}",commit="abc1234"}`)).toBe(1);
  });

  it('exposes the new series from the start, zeros included', async () => {
    const text = await scrape();
    expect(loginOutcomes(text)).toEqual({ success: 0, invalid_credentials: 0, throttled: 0, disabled: 0 });
    for (const reason of ['deadlock', 'lock_wait_timeout', 'busy']) expect(sample(text, `db_transaction_retries_total{reason="${reason}"}`)).toBe(0);
    expect(sample(text, 'db_pool_connections_max')).toBe(POOL_SIZE);
    expect(sample(text, 'db_pool_connections_in_use')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'db_pool_connections_idle')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'db_pool_waiting_requests')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'password_hash_queue_length')).toBe(0);
    expect(sample(text, 'password_hash_in_progress')).toBe(0);
    // Nothing is hashed at start (the login's dummy hash waits for the first unknown identifier), yet the series exist.
    expect(sample(text, 'password_hash_duration_seconds_count{operation="hash",algorithm="argon2id"}')).toBe(0);
    expect(sample(text, 'password_hash_duration_seconds_count{operation="verify",algorithm="argon2id"}')).toBe(0);
    expect(text).toMatch(/^# TYPE event_relay_lag_seconds histogram$/m);
  });

  it('counts login outcomes, times hashes and measures the relay lag', async () => {
    const email = `obs-${Date.now()}@example.com`;
    const created = await send(
      `${app.adminUrl}/admin/identities`,
      json({ schema_id: 'default', traits: { email }, credentials: { password: { config: { password: 'observable-password-1' } } } }),
    );
    expect(created.status).toBe(201);
    const identity = JSON.parse(created.text) as { id: string; traits: object };
    await app.app.get(OutboxRelayService).flush(); // the nudge after the commit may have published it already
    const before = await scrape();
    expect(sample(before, 'event_relay_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(before, 'event_relay_lag_seconds_sum')).toBeGreaterThanOrEqual(0);
    const verifies = sample(before, 'password_hash_duration_seconds_count{operation="verify",algorithm="argon2id"}')!;

    expect((await login(email, 'wrong-password')).status).toBe(400);
    let text = await scrape();
    expect(loginOutcomes(text)).toEqual({ success: 0, invalid_credentials: 1, throttled: 0, disabled: 0 });
    expect(sample(text, 'password_hash_duration_seconds_count{operation="verify",algorithm="argon2id"}')).toBe(verifies + 1);

    expect((await login(email, 'observable-password-1')).status).toBe(200);
    expect(loginOutcomes(await scrape())).toMatchObject({ success: 1, invalid_credentials: 1 });

    const updated = await send(`${app.adminUrl}/admin/identities/${identity.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: identity.traits, state: 'inactive' }),
    });
    expect(updated.status).toBe(200);
    expect((await login(email, 'observable-password-1')).status).toBe(400);
    expect(loginOutcomes(await scrape())).toMatchObject({ success: 1, invalid_credentials: 1, disabled: 1 });

    // Three failures per identifier are allowed; the fourth attempt is refused before any hashing.
    const victim = `victim-${Date.now()}@example.com`;
    for (let i = 0; i < 3; i++) expect((await login(victim, `guess-${i}`)).status).toBe(400);
    expect((await login(victim, 'guess-3')).status).toBe(429);
    text = await scrape();
    expect(loginOutcomes(text)).toEqual({ success: 1, invalid_credentials: 4, throttled: 1, disabled: 1 });
    // Unknown identifiers cost a verification too (against the dummy hash), the refused attempt none.
    expect(sample(text, 'password_hash_duration_seconds_count{operation="verify",algorithm="argon2id"}')).toBe(verifies + 6);
  });

  it('shows the password hashes waiting for a slot', async () => {
    const hasher = app.app.get(PasswordHasherService);
    const hashes = Promise.all(Array.from({ length: 4 }, (_, i) => hasher.hash(`queued-password-${i}`)));
    try {
      await new Promise((r) => setImmediate(r)); // the pool hands the first one to a thread a few microtasks later
      // HASHER_CONCURRENCY=1: one is computed, three wait. Read from the registry: a scrape would wait its turn too.
      expect(await registry.getSingleMetricAsString('password_hash_in_progress')).toMatch(/^password_hash_in_progress 1$/m);
      expect(await registry.getSingleMetricAsString('password_hash_queue_length')).toMatch(/^password_hash_queue_length 3$/m);
    } finally {
      await hashes;
    }
    expect(await registry.getSingleMetricAsString('password_hash_queue_length')).toMatch(/^password_hash_queue_length 0$/m);
  });

  it('shows the database connections in use and the callers waiting for one', async () => {
    const dataSource = app.app.get(DataSource);
    const sleeping = Promise.all(Array.from({ length: POOL_SIZE + 2 }, () => dataSource.query('SELECT SLEEP(1)')));
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(sample(await registry.getSingleMetricAsString('db_pool_connections_in_use'), 'db_pool_connections_in_use')).toBe(POOL_SIZE);
      // Two of ours wait, and the relay's next poll may be waiting as well.
      expect(sample(await registry.getSingleMetricAsString('db_pool_waiting_requests'), 'db_pool_waiting_requests')).toBeGreaterThanOrEqual(2);
    } finally {
      await sleeping;
    }
    expect(sample(await registry.getSingleMetricAsString('db_pool_waiting_requests'), 'db_pool_waiting_requests')).toBe(0);
  });

  it('has a Grafana dashboard whose every query names only metrics the service serves', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      schemaVersion: number;
      templating: { list: Array<{ name: string; type: string; query?: unknown }> };
    };
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    const variables = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v.type]));
    expect(variables).toMatchObject({ DS_PROMETHEUS: 'datasource', job: 'query', namespace: 'query' });

    const panels = dashboardPanels().filter((p) => p.type !== 'row');
    const exprs: string[] = [];
    for (const panel of panels) {
      expect({ panel: panel.title, datasource: panel.datasource?.uid }).toEqual({ panel: panel.title, datasource: '${DS_PROMETHEUS}' });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid).toBe('${DS_PROMETHEUS}');
        expect(target.expr).toMatch(/job=~"\$job", namespace=~"\$namespace"/);
        exprs.push(target.expr!);
      }
    }

    const exposed = exposedNames(await scrape());
    const referenced = new Set(exprs.flatMap(metricNamesIn));
    expect([...referenced].filter((name) => !exposed.has(name))).toEqual([]);
    // The panels the dashboard is for.
    for (const name of [
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'event_outbox_backlog',
      'event_outbox_oldest_pending_age_seconds',
      'event_relay_errors_total',
      'events_published_total',
      'event_relay_lag_seconds_bucket',
      'event_queue_jobs',
      'nodejs_eventloop_lag_p99_seconds',
      'db_pool_connections_in_use',
      'db_pool_waiting_requests',
      'db_transaction_retries_total',
      'password_hash_queue_length',
      'password_hash_duration_seconds_bucket',
      'login_attempts_total',
      'build_info',
    ]) {
      expect({ name, referenced: referenced.has(name) }).toEqual({ name, referenced: true });
    }
  });

  it('has alert rules that name only metrics the service serves', async () => {
    const exposed = exposedNames(await scrape());
    for (const rule of ruleExpressions()) {
      const names = metricNamesIn(rule.expr);
      expect(names.length).toBeGreaterThan(0);
      expect({ alert: rule.alert, unknown: names.filter((n) => !exposed.has(n)) }).toEqual({ alert: rule.alert, unknown: [] });
    }
  });

  it('recognises metric names in PromQL (the checker above is itself right)', () => {
    expect(
      metricNamesIn('histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{job=~"$job", route!="x{y}"}[$__rate_interval])))'),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(metricNamesIn('max by (job) (a_total) > 0 unless on (job) sum by (job) (increase(b_total[10m])) > 0')).toEqual(['a_total', 'b_total']);
    expect(metricNamesIn('x / ignoring (instance) group_left (version) build_info offset 5m')).toEqual(['x', 'build_info']);
  });
});

describe('observability: SQLite', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ dialect: 'sqlite' });
  });
  afterAll(async () => app?.destroy());

  it('has no pool to report: the db_pool_* gauges have no series; the other metrics are there', async () => {
    const res = await send(`${app.adminUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/^db_pool_\w+ /m);
    expect(res.text).toMatch(/^db_transaction_retries_total\{reason="busy"\} 0$/m);
    expect(res.text).toMatch(/^login_attempts_total\{outcome="success"\} 0$/m);
    expect(res.text).toMatch(/^build_info\{[^}]*\} 1$/m);
  });
});
