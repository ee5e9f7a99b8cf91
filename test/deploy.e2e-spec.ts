import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONFIG_SETTING_NAMES } from '../src/config/app-config';

// The Helm chart deploy/helm/kratos-nest, rendered with the real helm (scripts/ensure-helm.sh installs it when
// missing) and validated offline and strictly (test/support/k8s-strict-validate.mjs). No cluster is needed.
const root = join(__dirname, '..');
const chart = join(root, 'deploy', 'helm', 'kratos-nest');
const allOnValues = join(chart, 'ci', 'all-on-values.yaml');
const helm = execFileSync('bash', [join(root, 'scripts', 'ensure-helm.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim()
  .split('\n')
  .pop()!;

type Doc = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> }; [k: string]: any };

function render(...args: string[]): { text: string; docs: Doc[] } {
  const text = execFileSync(helm, ['template', 'kn', chart, '--namespace', 'auth', '--kube-version', '1.30.0', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const docs = parseAllDocuments(text)
    .map((d) => d.toJS() as Doc)
    .filter(Boolean);
  return { text, docs };
}

function strictErrors(text: string): string[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'support', 'k8s-strict-validate.mjs')], { input: text, encoding: 'utf8' });
  const { documents } = JSON.parse(out) as { documents: { kind: string; name: string; errors: string[] }[] };
  expect(documents.length).toBeGreaterThan(0);
  return documents.flatMap((d) => d.errors.map((e) => `${d.kind}/${d.name}: ${e}`));
}

const one = (docs: Doc[], kind: string, name?: string) => {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
};
const seconds = (v: string) => Number(/^(\d+)s$/.exec(v)![1]);

const defaults = render();
const allOn = render('-f', allOnValues);

describe.each([
  ['default values', defaults],
  ['every optional part on', allOn],
])('Helm chart with %s', (_label, { text, docs }) => {
  const deployment = one(docs, 'Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const job = one(docs, 'Job');
  const configMap = one(docs, 'ConfigMap', 'kn-kratos-nest');
  const hookConfigMap = one(docs, 'ConfigMap', 'kn-kratos-nest-migrate');

  it('passes helm lint --strict and every document validates against the strict Kubernetes schemas', () => {
    const lintArgs = docs === allOn.docs ? ['-f', allOnValues] : [];
    execFileSync(helm, ['lint', '--strict', chart, ...lintArgs], { encoding: 'utf8' });
    expect(strictErrors(text)).toEqual([]);
  });

  it('has one Service per port, a ServiceAccount without a token, a PDB and the NetworkPolicy', () => {
    expect(one(docs, 'Service', 'kn-kratos-nest-public').spec.ports).toEqual([{ name: 'public', port: 4433, targetPort: 'public', protocol: 'TCP' }]);
    expect(one(docs, 'Service', 'kn-kratos-nest-admin').spec.ports).toEqual([{ name: 'admin', port: 4434, targetPort: 'admin', protocol: 'TCP' }]);
    expect(one(docs, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    const pdb = one(docs, 'PodDisruptionBudget').spec;
    expect(pdb.maxUnavailable ?? pdb.minAvailable).toBeDefined();
    expect(container.ports).toEqual([
      { name: 'public', containerPort: 4433, protocol: 'TCP' },
      { name: 'admin', containerPort: 4434, protocol: 'TCP' },
    ]);
  });

  it('probes the admin port: /health/ready for startup and readiness, /health/alive for liveness', () => {
    expect(container.startupProbe.httpGet).toEqual({ path: '/health/ready', port: 'admin' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'admin' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/alive', port: 'admin' });
    // The start-up probe outlasts the 5-minute wait for the database (DATABASE_CONNECT_MAX_WAIT).
    const p = container.startupProbe;
    expect(p.periodSeconds * p.failureThreshold).toBeGreaterThan(300);
  });

  it('runs non-root with a read-only root filesystem, no privilege escalation, no capabilities and RuntimeDefault seccomp', () => {
    for (const c of [container, job.spec.template.spec.containers[0]]) {
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits).toBeDefined();
    }
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(pod.topologySpreadConstraints.map((t: { topologyKey: string }) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
  });

  it('gives the stop sequence its time, and never a preStop sleep on top of the drain delay', () => {
    const cfg = configMap.data;
    const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(preStop === 0 || seconds(cfg.SHUTDOWN_DRAIN_DELAY) === 0).toBe(true);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + seconds(cfg.SHUTDOWN_DRAIN_DELAY) + seconds(cfg.SHUTDOWN_TIMEOUT) + 10);
  });

  it('keeps the admin port off the open network', () => {
    const policy = one(docs, 'NetworkPolicy').spec;
    expect(policy.policyTypes).toContain('Ingress');
    const adminRules = policy.ingress.filter((r: any) => r.ports.some((p: any) => p.port === 'admin' || p.port === 4434));
    expect(adminRules.length).toBeGreaterThan(0);
    for (const rule of adminRules) {
      expect(rule.from?.length).toBeGreaterThan(0);
      for (const peer of rule.from) expect(peer.ipBlock).toBeUndefined();
    }
    // No rule without ports (that would open every port).
    for (const rule of policy.ingress) expect(rule.ports?.length).toBeGreaterThan(0);
    // Nothing exposes the admin Service outside the cluster.
    for (const ingress of docs.filter((d) => d.kind === 'Ingress')) {
      expect(JSON.stringify(ingress.spec)).not.toContain('kn-kratos-nest-admin');
    }
  });

  it('migrates in a pre-install/pre-upgrade hook Job whose configuration exists before the chart own ones', () => {
    expect(job.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const jobContainer = job.spec.template.spec.containers[0];
    expect(jobContainer.command).toEqual(['node', 'dist/cli.js', 'migrate', 'up']);
    expect(jobContainer.image).toBe(container.image);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(configMap.data.DATABASE_AUTO_MIGRATE).toBe('false');
    // Every ConfigMap and Secret the Job reads is itself a hook created before it, or the pre-existing existingSecret.
    const weight = (d: Doc) => Number(d.metadata.annotations?.['helm.sh/hook-weight'] ?? 0);
    const refs: { kind: string; name: string }[] = [
      ...jobContainer.envFrom.map((e: any) => ({ kind: 'ConfigMap', name: e.configMapRef.name })),
      ...jobContainer.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => ({ kind: 'Secret', name: e.valueFrom.secretKeyRef.name })),
      ...job.spec.template.spec.volumes.filter((v: any) => v.configMap).map((v: any) => ({ kind: 'ConfigMap', name: v.configMap.name })),
    ];
    const existingSecret = docs === allOn.docs ? 'kratos-nest-secrets' : undefined;
    for (const ref of refs) {
      if (ref.kind === 'Secret' && ref.name === existingSecret) continue;
      const target = one(docs, ref.kind, ref.name);
      expect(target.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(weight(target)).toBeLessThan(weight(job));
    }
    // The hook copy holds the same settings as the service's ConfigMap.
    expect(hookConfigMap.data).toEqual(configMap.data);
  });

  it('uses only setting names the service knows, with the settings the chart owns', () => {
    const names = new Set<string>();
    for (const c of [container, job.spec.template.spec.containers[0]]) {
      for (const e of c.env ?? []) names.add(e.name);
      for (const e of c.envFrom ?? []) {
        expect(e.secretRef).toBeUndefined(); // a Secret's keys would all become variables
        for (const n of Object.keys(one(docs, 'ConfigMap', e.configMapRef.name).data)) names.add(n);
      }
    }
    expect([...names].filter((n) => !CONFIG_SETTING_NAMES.includes(n))).toEqual([]);
    expect(configMap.data).toMatchObject({ NODE_ENV: 'production', PUBLIC_PORT: '4433', ADMIN_PORT: '4434' });
    expect(pod.enableServiceLinks).toBe(false);
    expect([...names]).toEqual(expect.arrayContaining(['RECOVERY_SECRET', 'DATABASE_URL', 'ADMIN_API_KEYS', 'METRICS_API_KEYS']));
  });
});

describe('Helm chart specifics', () => {
  it('with defaults: a generated RECOVERY_SECRET in the Secret and its hook copy, and the HPA on CPU', () => {
    const secret = one(defaults.docs, 'Secret', 'kn-kratos-nest');
    const copy = one(defaults.docs, 'Secret', 'kn-kratos-nest-migrate');
    expect(Buffer.from(secret.data.RECOVERY_SECRET, 'base64').toString().length).toBeGreaterThanOrEqual(32);
    expect(copy.data).toEqual(secret.data);
    const hpa = one(defaults.docs, 'HorizontalPodAutoscaler').spec;
    expect(hpa.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect(one(defaults.docs, 'Deployment').spec.replicas).toBeUndefined(); // the HPA owns the count
    expect(defaults.docs.filter((d) => ['Ingress', 'ServiceMonitor'].includes(d.kind))).toEqual([]);
  });

  it('with everything on: existingSecret, schemas as files, Ingress, ServiceMonitor with a bearer token', () => {
    const { docs } = allOn;
    expect(docs.filter((d) => d.kind === 'Secret')).toEqual([]);
    const deployment = one(docs, 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    const cfg = one(docs, 'ConfigMap', 'kn-kratos-nest').data;
    const schemas = JSON.parse(cfg.IDENTITY_SCHEMAS) as { id: string; url: string }[];
    const mount = container.volumeMounts.find((m: any) => m.name === 'identity-schemas');
    const files = one(docs, 'ConfigMap', 'kn-kratos-nest-schemas').data;
    for (const s of schemas) {
      expect(s.url.startsWith(`file://${mount.mountPath}/`)).toBe(true);
      expect(JSON.parse(files[s.url.slice(`file://${mount.mountPath}/`.length)])).toHaveProperty('type', 'object');
    }
    expect(cfg.IDENTITY_DEFAULT_SCHEMA_ID).toBe('customer');
    expect(schemas.map((s) => s.id)).toContain('customer');
    const ingress = one(docs, 'Ingress').spec;
    expect(ingress.rules[0].http.paths[0].backend.service).toEqual({ name: 'kn-kratos-nest-public', port: { name: 'public' } });
    const monitor = one(docs, 'ServiceMonitor');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.spec.endpoints).toEqual([
      expect.objectContaining({
        port: 'admin',
        path: '/metrics',
        authorization: { type: 'Bearer', credentials: { name: 'kratos-nest-secrets', key: 'METRICS_API_KEYS' } },
      }),
    ]);
    expect(monitor.spec.selector.matchLabels['app.kubernetes.io/component']).toBe('admin');
    // A preStop sleep replaces the in-process drain delay.
    expect(container.lifecycle.preStop.sleep.seconds).toBe(5);
    expect(cfg.SHUTDOWN_DRAIN_DELAY).toBe('0s');
  });

  it('refuses a grace period shorter than the stop sequence, an open admin port and settings the chart owns', () => {
    const fails = (...set: string[]) => {
      try {
        render(...set.flatMap((s) => ['--set', s]));
      } catch (e) {
        return String((e as { stderr?: string }).stderr ?? e);
      }
      throw new Error(`rendered with ${set.join(' ')}`);
    };
    expect(fails('shutdown.terminationGracePeriodSeconds=20')).toMatch(/terminationGracePeriodSeconds \(20\) must be at least 30/);
    expect(fails('networkPolicy.adminFrom=null')).toMatch(/adminFrom must list at least one peer/);
    expect(fails('config.DATABASE_AUTO_MIGRATE=true')).toMatch(/config.DATABASE_AUTO_MIGRATE is set by the chart/);
  });

  it('the strict validator rejects an unknown field (it is not a no-op)', () => {
    const bad = defaults.text.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: true\n            readOnlyRootFS: true');
    expect(strictErrors(bad).join('\n')).toMatch(/readOnlyRootFS: unknown field/);
  });
});
