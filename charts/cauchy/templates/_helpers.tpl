{{/* Chart name, or nameOverride. */}}
{{- define "cauchy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* "<release>-<chart>", or fullnameOverride; the release name alone when it already contains the chart name. */}}
{{- define "cauchy.fullname" -}}
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

{{- define "cauchy.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Standard labels of every object; call with (dict "root" $ "component" "orchestrator"). */}}
{{- define "cauchy.labels" -}}
helm.sh/chart: {{ include "cauchy.chart" .root }}
{{ include "cauchy.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: cauchy
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The labels a component's Services, PDBs and NetworkPolicies select its pods by. */}}
{{- define "cauchy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cauchy.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* A component's object name: "<fullname>-<component>". */}}
{{- define "cauchy.componentName" -}}
{{- printf "%s-%s" (include "cauchy.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The gRPC port of each Cauchy service; its HTTP port (/metrics, /healthz) is 1000 above. */}}
{{- define "cauchy.grpcPort" -}}
{{- get (dict "datasets" 50051 "orchestrator" 50052 "trainer" 50053 "metrics" 50054 "registry" 50055) . -}}
{{- end -}}

{{- define "cauchy.httpPort" -}}
{{- add (include "cauchy.grpcPort" . | int) 1000 -}}
{{- end -}}

{{/* A Cauchy image: [registry/]repository/<service>:<tag>; call with (dict "root" $ "service" "trainer" "tag" ""). */}}
{{- define "cauchy.image" -}}
{{- $image := .root.Values.image -}}
{{- $repository := printf "%s/%s" $image.repository .service -}}
{{- if $image.registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" $image.registry) $repository -}}
{{- end -}}
{{- printf "%s:%s" $repository (.tag | default $image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* The address a Cauchy service is called at: addressOverrides, else its Service. */}}
{{- define "cauchy.address" -}}
{{- $override := get .root.Values.addressOverrides .component -}}
{{- if $override -}}
{{- $override -}}
{{- else -}}
{{- printf "http://%s:%s" (include "cauchy.componentName" .) (include "cauchy.grpcPort" .component) -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret with the bundled PostgreSQL's password. */}}
{{- define "cauchy.postgresqlSecret" -}}
{{- .Values.postgresql.existingSecret | default (printf "%s-postgresql" (include "cauchy.fullname" .)) -}}
{{- end -}}

{{/* Name of the Secret with the service secret and the bootstrap admin token. */}}
{{- define "cauchy.authSecret" -}}
{{- .Values.auth.existingSecret | default (printf "%s-auth" (include "cauchy.fullname" .)) -}}
{{- end -}}

{{/* Where the auth Secret is mounted in every Cauchy container. */}}
{{- define "cauchy.authMountPath" -}}/etc/cauchy/auth{{- end -}}

{{/* The auth Secret as a volume: the service secret for every service, the admin token for the orchestrator only. */}}
{{- define "cauchy.authVolume" -}}
- name: auth
  secret:
    secretName: {{ include "cauchy.authSecret" .root }}
    defaultMode: 256 # 0400: read by the owner only
    items:
      - key: service-secret
        path: service-secret
      {{- if eq .component "orchestrator" }}
      - key: admin-token
        path: admin-token
      {{- end }}
{{- end -}}

{{/* Name of the Secret with the bundled MinIO's credentials. */}}
{{- define "cauchy.minioSecret" -}}
{{- .Values.minio.existingSecret | default (printf "%s-minio" (include "cauchy.fullname" .)) -}}
{{- end -}}

{{/* True ("true") when the bundled PostgreSQL serves the services' databases. */}}
{{- define "cauchy.bundledPostgres" -}}
{{- if and (eq .Values.database.provider "postgres") .Values.postgresql.enabled -}}true{{- end -}}
{{- end -}}

{{/* True when the prometheus-operator's API is served (or forced with `helm template --api-versions`). */}}
{{- define "cauchy.hasMonitoringApi" -}}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" -}}true{{- end -}}
{{- end -}}

{{/* True when the pods carry prometheus.io scrape annotations (no ServiceMonitor is rendered). */}}
{{- define "cauchy.scrapeAnnotations" -}}
{{- if and .Values.monitoring.scrapeAnnotations (not (and .Values.monitoring.serviceMonitor.enabled (include "cauchy.hasMonitoringApi" .))) -}}true{{- end -}}
{{- end -}}

{{/* A value from an existing Secret, for generated credentials that must survive upgrades; "" when absent. */}}
{{- define "cauchy.existingSecretValue" -}}
{{- $secret := lookup "v1" "Secret" .root.Release.Namespace .name -}}
{{- if and $secret $secret.data -}}
{{- get $secret.data .key | b64dec -}}
{{- end -}}
{{- end -}}

{{/* The securityContext of every container. */}}
{{- define "cauchy.containerSecurityContext" -}}
{{- toYaml .Values.containerSecurityContext -}}
{{- end -}}

{{/* Preferred anti-affinity spreading a component's pods over nodes; call with (dict "root" $ "component" name). */}}
{{- define "cauchy.defaultAffinity" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "cauchy.selectorLabels" . | nindent 12 }}
{{- end -}}

{{/* Native gRPC probes against grpc.health.v1 (the server's overall status, ""). */}}
{{- define "cauchy.probes" -}}
{{- $port := include "cauchy.grpcPort" .component | int -}}
{{- $p := .root.Values.probes -}}
startupProbe:
  grpc:
    port: {{ $port }}
  periodSeconds: {{ $p.startup.periodSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
readinessProbe:
  grpc:
    port: {{ $port }}
  periodSeconds: {{ $p.readiness.periodSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
livenessProbe:
  grpc:
    port: {{ $port }}
  periodSeconds: {{ $p.liveness.periodSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
{{- end -}}

{{/* Container ports of a Cauchy service; hostPort when `hostPorts` is set. */}}
{{- define "cauchy.containerPorts" -}}
- name: grpc
  containerPort: {{ include "cauchy.grpcPort" .component }}
  protocol: TCP
  {{- if .root.Values.hostPorts }}
  hostPort: {{ include "cauchy.grpcPort" .component }}
  {{- end }}
- name: http-metrics
  containerPort: {{ include "cauchy.httpPort" .component }}
  protocol: TCP
  {{- if .root.Values.hostPorts }}
  hostPort: {{ include "cauchy.httpPort" .component }}
  {{- end }}
{{- end -}}

{{/* Pod annotations: the config checksum (restart on change) and, without a ServiceMonitor, scrape annotations. */}}
{{- define "cauchy.podAnnotations" -}}
checksum/config: {{ include (print .root.Template.BasePath "/configmaps.yaml") .root | sha256sum }}
{{- if include "cauchy.scrapeAnnotations" .root }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ include "cauchy.httpPort" .component | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Environment variables holding secrets (never in a ConfigMap): the database connection string and S3 keys. */}}
{{- define "cauchy.secretEnv" -}}
{{- $root := .root -}}
{{- if and (ne .component "trainer") (eq $root.Values.database.provider "postgres") }}
{{- if include "cauchy.bundledPostgres" $root }}
- name: CAUCHY_POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "cauchy.postgresqlSecret" $root }}
      key: password
- name: CAUCHY_DATABASE__CONNECTIONSTRING
  value: {{ printf "Host=%s-postgresql;Port=5432;Database=%s;Username=%s;Password=$(CAUCHY_POSTGRES_PASSWORD)" (include "cauchy.fullname" $root) .component $root.Values.postgresql.username | quote }}
{{- else }}
- name: CAUCHY_DATABASE__CONNECTIONSTRING
  valueFrom:
    secretKeyRef:
      name: {{ required "database.external.existingSecret is required when postgresql.enabled is false" $root.Values.database.external.existingSecret }}
      key: {{ get $root.Values.database.external.connectionStringKeys .component }}
{{- end }}
{{- end }}
{{- if has .component (list "datasets" "registry" "trainer") }}
{{- if $root.Values.minio.enabled }}
- name: CAUCHY_STORAGE__S3__ACCESSKEY
  valueFrom:
    secretKeyRef:
      name: {{ include "cauchy.minioSecret" $root }}
      key: root-user
- name: CAUCHY_STORAGE__S3__SECRETKEY
  valueFrom:
    secretKeyRef:
      name: {{ include "cauchy.minioSecret" $root }}
      key: root-password
{{- else if $root.Values.objectStore.existingSecret }}
- name: CAUCHY_STORAGE__S3__ACCESSKEY
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.objectStore.existingSecret }}
      key: {{ $root.Values.objectStore.accessKeyKey }}
- name: CAUCHY_STORAGE__S3__SECRETKEY
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.objectStore.existingSecret }}
      key: {{ $root.Values.objectStore.secretKeyKey }}
{{- end }}
{{- end }}
{{- end -}}
