// Validates Kubernetes manifests offline and strictly, as `kubectl apply --validate=strict` would against a server:
//   node test/support/k8s-strict-validate.mjs < manifests.yaml   → prints {"documents":[{kind,name,errors:[…]}]}
// Two checks per document, both from Kubernetes' own OpenAPI document by way of well-kept npm packages:
//  1. kubernetes-models (and @kubernetes-models/prometheus-operator for ServiceMonitor, generated from the
//     prometheus-operator CRD's openAPIV3Schema): JSON Schema validation of types, required fields, enums and
//     formats. Its validators accept unknown fields.
//  2. @kubernetes/client-node's models (generated from the OpenAPI spec of Kubernetes release-1.36): every field of
//     every object must be one that the API type declares, recursively, with the declared shape (object, list, map,
//     string, number, boolean, int-or-string). This is what rejects unknown or misplaced fields.
// A separate process because both libraries are ES modules, which Jest's CommonJS runtime does not load. The
// packages are resolved from K8S_VALIDATE_MODULES (a folder holding node_modules) or else from the project.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const base = process.env.K8S_VALIDATE_MODULES || join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mod = (path) => import(pathToFileURL(join(base, 'node_modules', path)).href);

const clientModels = await mod('@kubernetes/client-node/dist/gen/models/all.js');

/** The kubernetes-models module of an apiVersion: "v1" → kubernetes-models/v1, "apps/v1" → …/apps/v1. */
async function modelClass(apiVersion, kind) {
  if (apiVersion === 'monitoring.coreos.com/v1') {
    return (await mod(`@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}.js`))[kind];
  }
  return (await mod(`kubernetes-models/${apiVersion}/${kind}.js`))[kind];
}

/** The client-node model class of a top-level kind: apps/v1 Deployment → V1Deployment. */
function clientClass(apiVersion, kind) {
  const version = apiVersion.split('/').pop();
  return clientModels[`V${version.slice(1)}${kind}`];
}

const describe = (v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Strict structural check of `value` against a client-node type string; pushes "path: message" into errors. */
function checkType(type, value, path, errors) {
  if (value === null || value === undefined) return; // null means "unset" for optional fields
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (!Array.isArray(value)) return errors.push(`${path}: expected a list, got ${describe(value)}`);
    value.forEach((item, i) => checkType(m[1], item, `${path}[${i}]`, errors));
    return;
  }
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    if (describe(value) !== 'object') return errors.push(`${path}: expected a map, got ${describe(value)}`);
    for (const [k, v] of Object.entries(value)) checkType(m[1], v, `${path}.${k}`, errors);
    return;
  }
  switch (type) {
    case 'any':
    case 'object':
      return;
    case 'string':
    case 'Date':
      if (typeof value !== 'string') errors.push(`${path}: expected a string, got ${describe(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number') errors.push(`${path}: expected a number, got ${describe(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${path}: expected a boolean, got ${describe(value)}`);
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && !Number.isInteger(value)) errors.push(`${path}: expected an integer or a string`);
      return;
  }
  const cls = clientModels[type];
  if (!cls || typeof cls.getAttributeTypeMap !== 'function') return errors.push(`${path}: unknown API type ${type}`);
  if (describe(value) !== 'object') return errors.push(`${path}: expected an object (${type}), got ${describe(value)}`);
  const fields = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!fields.has(k)) errors.push(`${path}.${k}: unknown field (${type} has ${[...fields.keys()].join(', ')})`);
    else checkType(fields.get(k), v, `${path}.${k}`, errors);
  }
}

/**
 * kubernetes-models' ServiceMonitor validator lets unknown fields through, and no package here has the CRD's schema
 * in a strict form, so the fields the chart may write are checked against an explicit list (a subset of
 * prometheus-operator's monitoring.coreos.com/v1 ServiceMonitor API, which the schema check above covers in full).
 */
const SERVICE_MONITOR_FIELDS = {
  '': ['apiVersion', 'kind', 'metadata', 'spec'],
  spec: ['selector', 'namespaceSelector', 'endpoints', 'jobLabel', 'targetLabels', 'podTargetLabels', 'sampleLimit'],
  'spec.namespaceSelector': ['any', 'matchNames'],
  'spec.endpoints[]': [
    'port',
    'targetPort',
    'path',
    'scheme',
    'params',
    'interval',
    'scrapeTimeout',
    'tlsConfig',
    'authorization',
    'honorLabels',
    'honorTimestamps',
    'metricRelabelings',
    'relabelings',
    'followRedirects',
    'enableHttp2',
  ],
  'spec.endpoints[].authorization': ['type', 'credentials'],
  'spec.endpoints[].authorization.credentials': ['name', 'key', 'optional'],
};
function checkServiceMonitorFields(doc, errors) {
  const visit = (value, path) => {
    const allowed = SERVICE_MONITOR_FIELDS[path.replace(/\[\d+\]/g, '[]')];
    if (!allowed || describe(value) !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      if (!allowed.includes(k)) errors.push(`ServiceMonitor.${path ? path + '.' : ''}${k}: unknown field`);
      else if (Array.isArray(v)) v.forEach((item, i) => visit(item, `${path ? path + '.' : ''}${k}[${i}]`));
      else visit(v, `${path ? path + '.' : ''}${k}`);
    }
  };
  visit(doc, '');
  checkType('V1ObjectMeta', doc.metadata, 'ServiceMonitor.metadata', errors);
  checkType('V1LabelSelector', doc.spec?.selector, 'ServiceMonitor.spec.selector', errors);
}

/** Validates one parsed document; returns its errors (empty when valid). */
async function validate(doc) {
  const errors = [];
  const { apiVersion, kind } = doc ?? {};
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind are required'];
  let Model;
  try {
    Model = await modelClass(apiVersion, kind);
  } catch {
    Model = undefined;
  }
  if (!Model) return [`no schema for ${apiVersion} ${kind}`];
  try {
    new Model(doc).validate();
  } catch (e) {
    errors.push(`schema: ${e.message}`);
  }
  if (apiVersion === 'monitoring.coreos.com/v1') checkServiceMonitorFields(doc, errors);
  else {
    const cls = clientClass(apiVersion, kind);
    if (!cls) errors.push(`no strict field list for ${apiVersion} ${kind}`);
    else checkType(cls.name, doc, kind, errors);
  }
  return errors;
}

const text = readFileSync(0, 'utf8');
const documents = [];
for (const parsed of parseAllDocuments(text)) {
  if (parsed.errors.length) {
    documents.push({ kind: '?', name: '?', errors: parsed.errors.map((e) => `yaml: ${e.message}`) });
    continue;
  }
  const doc = parsed.toJS();
  if (doc === null || doc === undefined) continue;
  documents.push({ apiVersion: doc.apiVersion, kind: doc.kind, name: doc.metadata?.name, errors: await validate(doc) });
}
process.stdout.write(JSON.stringify({ documents }) + '\n');
