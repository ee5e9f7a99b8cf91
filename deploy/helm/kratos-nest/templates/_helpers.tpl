{{/* Name of the chart, shortened to the 63 characters of a label value. */}}
{{- define "kratos-nest.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name of the release's resources. */}}
{{- define "kratos-nest.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kratos-nest.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kratos-nest.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kratos-nest.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kratos-nest.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "kratos-nest.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kratos-nest.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* repository:tag, or repository:tag@digest when a digest is given. */}}
{{- define "kratos-nest.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret the pods read: existingSecret or the chart's. */}}
{{- define "kratos-nest.secretName" -}}
{{- .Values.existingSecret | default (include "kratos-nest.fullname" .) -}}
{{- end -}}

{{/* The drain delay the service gets: 0 when a preStop sleep does the waiting instead. */}}
{{- define "kratos-nest.drainDelay" -}}
{{- if gt (int .Values.shutdown.preStopSleepSeconds) 0 -}}0{{- else -}}{{ int .Values.shutdown.drainDelaySeconds }}{{- end -}}
{{- end -}}

{{/* terminationGracePeriodSeconds, checked against the stop sequence of README.md ("Running in Kubernetes"). */}}
{{- define "kratos-nest.gracePeriod" -}}
{{- $s := .Values.shutdown -}}
{{- $need := add (int $s.preStopSleepSeconds) (int (include "kratos-nest.drainDelay" .)) (int $s.timeoutSeconds) 10 -}}
{{- if lt (int $s.terminationGracePeriodSeconds) (int $need) -}}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%d) must be at least %d: drain delay or preStop sleep + SHUTDOWN_TIMEOUT + 10 s of relay drain" (int $s.terminationGracePeriodSeconds) (int $need)) -}}
{{- end -}}
{{- int $s.terminationGracePeriodSeconds -}}
{{- end -}}

{{- define "kratos-nest.schemaDir" -}}/etc/kratos-nest/schemas{{- end -}}

{{/* The ConfigMap's data: the settings of values.config plus the ones the chart owns. */}}
{{- define "kratos-nest.configData" -}}
{{- $owned := list "NODE_ENV" "PUBLIC_PORT" "ADMIN_PORT" "DATABASE_AUTO_MIGRATE" "SHUTDOWN_DRAIN_DELAY" "SHUTDOWN_TIMEOUT" "IDENTITY_SCHEMAS" "IDENTITY_DEFAULT_SCHEMA_ID" "RECOVERY_SECRET" "ADMIN_API_KEYS" "METRICS_API_KEYS" "DATABASE_URL" -}}
{{- range $k, $v := .Values.config }}
{{- if has $k $owned }}
{{- fail (printf "config.%s is set by the chart (see values.yaml); remove it from config" $k) }}
{{- end }}
{{- if not (kindIs "invalid" $v) }}
{{- if ne (toString $v) "" }}
{{ $k }}: {{ toString $v | quote }}
{{- end }}
{{- end }}
{{- end }}
NODE_ENV: "production"
PUBLIC_PORT: "4433"
ADMIN_PORT: "4434"
DATABASE_AUTO_MIGRATE: "false"
SHUTDOWN_DRAIN_DELAY: {{ printf "%ss" (include "kratos-nest.drainDelay" .) | quote }}
SHUTDOWN_TIMEOUT: {{ printf "%ds" (int .Values.shutdown.timeoutSeconds) | quote }}
{{- if .Values.identitySchemas }}
{{- $dir := include "kratos-nest.schemaDir" . }}
{{- $list := list }}
{{- range .Values.identitySchemas }}
{{- $list = append $list (dict "id" .id "url" (printf "file://%s/%s.schema.json" $dir .id)) }}
{{- end }}
IDENTITY_SCHEMAS: {{ toJson $list | quote }}
{{- end }}
{{- with .Values.defaultSchemaId }}
IDENTITY_DEFAULT_SCHEMA_ID: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The schemas ConfigMap's data: one file per schema. */}}
{{- define "kratos-nest.schemaData" -}}
{{- range .Values.identitySchemas }}
{{- if not (regexMatch "^[a-zA-Z0-9][a-zA-Z0-9_.-]*$" (toString .id)) }}
{{- fail (printf "identitySchemas: id %q must be letters, digits, '.', '_' or '-' (it names a file)" (toString .id)) }}
{{- end }}
{{ printf "%s.schema.json" .id }}: {{ toPrettyJson .schema | quote }}
{{- end }}
{{- end -}}

{{/*
A secret value: the one in values, else the one in the Secret this release made before (kept on upgrades), else a
new random one. Computed once per render and cached, so that the Secret and its hook copy agree.
*/}}
{{- define "kratos-nest.secretValue" -}}
{{- $ctx := index . 0 -}}
{{- $key := index . 1 -}}
{{- $given := index . 2 -}}
{{- $generate := index . 3 -}}
{{- $cache := $ctx.Values.secret -}}
{{- $cacheKey := printf "__computed_%s" $key -}}
{{- if not (hasKey $cache $cacheKey) -}}
{{- $value := $given -}}
{{- if not $value -}}
{{- $old := lookup "v1" "Secret" $ctx.Release.Namespace (include "kratos-nest.fullname" $ctx) -}}
{{- if and $old (hasKey ($old.data | default dict) $key) -}}
{{- $value = index $old.data $key | b64dec -}}
{{- else if $generate -}}
{{- $value = randAlphaNum 48 -}}
{{- end -}}
{{- end -}}
{{- $_ := set $cache $cacheKey $value -}}
{{- end -}}
{{- index $cache $cacheKey -}}
{{- end -}}

{{/* The chart's Secret's data (base64). */}}
{{- define "kratos-nest.secretData" -}}
{{- $s := .Values.secret -}}
{{- $recovery := include "kratos-nest.secretValue" (list . "RECOVERY_SECRET" $s.recoverySecret true) -}}
{{- $metrics := include "kratos-nest.secretValue" (list . "METRICS_API_KEYS" $s.metricsApiKeys .Values.serviceMonitor.enabled) -}}
RECOVERY_SECRET: {{ $recovery | b64enc | quote }}
{{- with $s.adminApiKeys }}
ADMIN_API_KEYS: {{ . | b64enc | quote }}
{{- end }}
{{- with $metrics }}
METRICS_API_KEYS: {{ . | b64enc | quote }}
{{- end }}
{{- with $s.databaseUrl }}
DATABASE_URL: {{ . | b64enc | quote }}
{{- end }}
{{- end -}}

{{/*
The container's configuration, shared by the service and the migration Job: the settings ConfigMap (envFrom) and
the secret settings by name (env), so that only setting names reach the environment. Arguments: (list $ root
configMapName secretName).
*/}}
{{- define "kratos-nest.envFrom" -}}
- configMapRef:
    name: {{ index . 1 }}
{{- end -}}

{{- define "kratos-nest.secretEnv" -}}
{{- $secret := index . 1 -}}
{{- range list "RECOVERY_SECRET" "DATABASE_URL" "ADMIN_API_KEYS" "METRICS_API_KEYS" }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      {{- if has . (list "ADMIN_API_KEYS" "METRICS_API_KEYS" "DATABASE_URL") }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/* Volumes of the service and the Job: /tmp and the schema files. Argument: (list $ schemasConfigMapName). */}}
{{- define "kratos-nest.volumes" -}}
{{- $ := index . 0 -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ $.Values.tmpSizeLimit }}
{{- if $.Values.identitySchemas }}
- name: identity-schemas
  configMap:
    name: {{ index . 1 }}
{{- end }}
{{- end -}}

{{- define "kratos-nest.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.identitySchemas }}
- name: identity-schemas
  mountPath: {{ include "kratos-nest.schemaDir" . }}
  readOnly: true
{{- end }}
{{- end -}}
