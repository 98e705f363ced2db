{{/* Names and labels. */}}
{{- define "switchboard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "switchboard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "switchboard.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "switchboard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ include "switchboard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: switchboard
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "name" "messaging") */}}
{{- define "switchboard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchboard.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "switchboard.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/*
What the chart knows about each component beyond its values: whether it is a subgraph (only
the gateway may call its /graphql), whether replicas may run side by side, the public routes
the Ingress sends to it, and the platform secrets it reads. Adding billing or ghl-sync is an
entry here plus a values block (and a `postgresql.databases` entry).
  route kinds: api (the gateway's public surface), device-api (HTTPS only), webhook, download,
  upload (signed contact-import links: allow large bodies in the ingress controller), console
*/}}
{{- define "switchboard.traits" -}}
accounts:
  subgraph: true
  scalable: true
  database: true
  secrets: [SUBGRAPH_SHARED_SECRET, INTERNAL_API_SECRET, SIGNING_KEY_ENCRYPTION_KEY, SMTP_URL]
  routes: []
devices:
  subgraph: true
  scalable: true
  database: true
  secrets: [SUBGRAPH_SHARED_SECRET, DEVICES_SECRET_KEY]
  routes:
    - { path: /api/mobile/v1, pathType: Prefix, kind: device-api }
    - { path: /api/device-hooks, pathType: Prefix, kind: webhook }
messaging:
  subgraph: true
  scalable: true
  database: true
  secrets: [SUBGRAPH_SHARED_SECRET, SECRET_KEYS, DOWNLOAD_SIGNING_SECRET]
  routes:
    - { path: /api/carrier-hooks, pathType: Prefix, kind: webhook }
compliance:
  subgraph: true
  scalable: true
  database: true
  secrets: [SUBGRAPH_SHARED_SECRET, DOWNLOAD_SIGNING_SECRET]
  routes: []
billing:
  subgraph: true
  scalable: true
  database: true
  # STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET come from billing.existingSecret (checks.yaml).
  secrets: [SUBGRAPH_SHARED_SECRET]
  # The Stripe webhook receiver's path goes here (kind: webhook) when its controller lands.
  routes: []
ghl-sync:
  subgraph: true
  scalable: true
  database: true
  # GHL_CLIENT_SECRET and GHL_STATE_SECRET come from ghl-sync.existingSecret (checks.yaml).
  secrets: [SUBGRAPH_SHARED_SECRET, SECRET_KEYS]
  routes:
    - { path: /ghl/webhooks, pathType: Prefix, kind: webhook }
    - { path: /ghl/oauth, pathType: Prefix, kind: webhook }
gateway:
  subgraph: false
  scalable: true
  database: false
  secrets: [SUBGRAPH_SHARED_SECRET, INTERNAL_API_SECRET]
  routes:
    - { path: /graphql, pathType: Exact, kind: api }
    - { path: /.well-known/jwks.json, pathType: Exact, kind: api }
    - { path: /.well-known/openid-configuration, pathType: Exact, kind: api }
    - { path: /downloads, pathType: Prefix, kind: download }
    - { path: /uploads, pathType: Prefix, kind: upload }
    - { path: /media, pathType: Prefix, kind: download }
    # The web console (static files, its session cookie at /console/session): every path the
    # rules above do not take; the gateway answers machine paths it does not serve with 404.
    - { path: /, pathType: Prefix, kind: console }
{{- end -}}

{{/* The generated list of components whose code exists, and the topic catalog. */}}
{{- define "switchboard.generated" -}}
{{- .Files.Get "files/generated.yaml" -}}
{{- end -}}

{{/*
The components this release deploys, as a YAML map name → {name, port, metricsPort, traits}:
those whose code is in the image (files/generated.yaml) and whose values block is enabled.
*/}}
{{- define "switchboard.components" -}}
{{- $generated := include "switchboard.generated" . | fromYaml -}}
{{- $traits := include "switchboard.traits" . | fromYaml -}}
{{- $out := dict -}}
{{- range $generated.components -}}
{{- $values := index $.Values .name | default dict -}}
{{- if and $values.enabled (hasKey $traits .name) -}}
{{- $_ := set $out .name (dict "name" .name "port" .port "metricsPort" (add .port 5000) "traits" (index $traits .name)) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{- define "switchboard.platformSecretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-platform" (include "switchboard.fullname" .)) -}}
{{- end -}}

{{- define "switchboard.kafkaClusterName" -}}
{{- printf "%s-kafka" (include "switchboard.fullname" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "switchboard.kafkaUserName" -}}
{{- include "switchboard.fullname" . -}}
{{- end -}}

{{- define "switchboard.pgClusterName" -}}
{{- printf "%s-pg" (include "switchboard.fullname" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "switchboard.kafkaBrokers" -}}
{{- if eq .Values.kafka.mode "strimzi" -}}
{{ include "switchboard.kafkaClusterName" . }}-kafka-bootstrap:9093
{{- else -}}
{{ .Values.kafka.external.brokers }}
{{- end -}}
{{- end -}}

{{/* The Kafka settings of every process that talks to the brokers (libs/events KAFKA_*). */}}
{{- define "switchboard.kafkaEnv" }}
- name: KAFKA_BROKERS
  value: {{ include "switchboard.kafkaBrokers" . | quote }}
{{- if eq .Values.kafka.mode "strimzi" }}
- name: KAFKA_SSL
  value: "true"
- name: KAFKA_SSL_CA_FILE
  value: /etc/switchboard/kafka-ca/ca.crt
- name: KAFKA_SASL_MECHANISM
  value: scram-sha-512
- name: KAFKA_SASL_USERNAME
  value: {{ include "switchboard.kafkaUserName" . | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.kafkaUserName" . }}
      key: password
{{- else }}
{{- $tls := .Values.kafka.external.tls }}
- name: KAFKA_SSL
  value: {{ $tls.enabled | toString | quote }}
{{- if and $tls.enabled $tls.caSecret.name }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/switchboard/kafka-ca/ca.crt
{{- end }}
{{- if and $tls.enabled $tls.clientCertSecret }}
- name: KAFKA_SSL_CERT_FILE
  value: /etc/switchboard/kafka-client/tls.crt
- name: KAFKA_SSL_KEY_FILE
  value: /etc/switchboard/kafka-client/tls.key
{{- end }}
{{- with .Values.kafka.external.sasl }}
{{- if .mechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ .username | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .passwordKey }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Volumes with the Kafka certificates, mounted by kafkaVolumeMounts. */}}
{{- define "switchboard.kafkaVolumes" -}}
{{- if eq .Values.kafka.mode "strimzi" }}
- name: kafka-ca
  secret:
    secretName: {{ include "switchboard.kafkaClusterName" . }}-cluster-ca-cert
    items: [{ key: ca.crt, path: ca.crt }]
{{- else }}
{{- $tls := .Values.kafka.external.tls }}
{{- if and $tls.enabled $tls.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ $tls.caSecret.name }}
    items: [{ key: {{ $tls.caSecret.key }}, path: ca.crt }]
{{- end }}
{{- if and $tls.enabled $tls.clientCertSecret }}
- name: kafka-client
  secret:
    secretName: {{ $tls.clientCertSecret }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "switchboard.kafkaVolumeMounts" -}}
{{- $tls := .Values.kafka.external.tls }}
{{- if or (eq .Values.kafka.mode "strimzi") (and $tls.enabled $tls.caSecret.name) }}
- name: kafka-ca
  mountPath: /etc/switchboard/kafka-ca
  readOnly: true
{{- end }}
{{- if and (ne .Values.kafka.mode "strimzi") $tls.enabled $tls.clientCertSecret }}
- name: kafka-client
  mountPath: /etc/switchboard/kafka-client
  readOnly: true
{{- end }}
{{- end -}}

{{/*
Database variables of one component: (dict "root" $ "name" "messaging" "owner" bool "prefix" "")
The URL is assembled by Kubernetes from the role's name and password ($(VAR) expansion), so the
password stays in its Secret. Passwords must be URL-safe (the chart's generated ones are).
*/}}
{{- define "switchboard.databaseEnv" -}}
{{- $root := .root -}}
{{- $db := index $root.Values.postgresql.databases .name -}}
{{- $cnpg := eq $root.Values.postgresql.mode "cloudnativepg" -}}
{{- $host := $root.Values.postgresql.external.host -}}
{{- $port := $root.Values.postgresql.external.port | toString -}}
{{- $sslMode := $root.Values.postgresql.external.sslMode -}}
{{- $ca := $root.Values.postgresql.external.caSecret.name -}}
{{- if $cnpg -}}
{{- $host = printf "%s-rw" (include "switchboard.pgClusterName" $root) -}}
{{- $port = "5432" -}}
{{- $sslMode = "verify-full" -}}
{{- $ca = "cnpg" -}}
{{- end -}}
{{- $query := printf "sslmode=%s" $sslMode -}}
{{- if and $ca (ne $sslMode "disable") -}}
{{- $query = printf "%s&sslrootcert=/etc/switchboard/postgresql-ca/ca.crt" $query -}}
{{- end -}}
{{- $roles := list (list "APP" $db.username "password" (printf "%s-db-app" .name)) -}}
{{- if .owner -}}
{{- $roles = append $roles (list "OWNER" $db.ownerUsername "owner-password" (printf "%s-db-owner" .name)) -}}
{{- end -}}
{{- range $roles }}
- name: SB_DB_{{ index . 0 }}_USER
  value: {{ index . 1 | quote }}
- name: SB_DB_{{ index . 0 }}_PASSWORD
  valueFrom:
    secretKeyRef:
{{- if $cnpg }}
      name: {{ include "switchboard.fullname" $root }}-{{ index . 3 }}
      key: password
{{- else }}
      name: {{ $root.Values.postgresql.external.existingSecret }}
      key: {{ $.name }}-{{ index . 2 }}
{{- end }}
{{- end }}
- name: {{ .prefix }}DATABASE_URL
  value: "postgresql://$(SB_DB_APP_USER):$(SB_DB_APP_PASSWORD)@{{ $host }}:{{ $port }}/{{ $db.database }}?{{ $query }}"
{{- if .owner }}
- name: {{ .prefix }}DATABASE_OWNER_URL
  value: "postgresql://$(SB_DB_OWNER_USER):$(SB_DB_OWNER_PASSWORD)@{{ $host }}:{{ $port }}/{{ $db.database }}?{{ $query }}"
{{- end }}
{{- end -}}

{{- define "switchboard.postgresqlCaVolume" -}}
{{- if eq .Values.postgresql.mode "cloudnativepg" }}
- name: postgresql-ca
  secret:
    secretName: {{ include "switchboard.pgClusterName" . }}-ca
    items: [{ key: ca.crt, path: ca.crt }]
{{- else if and .Values.postgresql.external.caSecret.name (ne .Values.postgresql.external.sslMode "disable") }}
- name: postgresql-ca
  secret:
    secretName: {{ .Values.postgresql.external.caSecret.name }}
    items: [{ key: {{ .Values.postgresql.external.caSecret.key }}, path: ca.crt }]
{{- end }}
{{- end -}}

{{- define "switchboard.postgresqlCaMount" -}}
{{- if or (eq .Values.postgresql.mode "cloudnativepg") (and .Values.postgresql.external.caSecret.name (ne .Values.postgresql.external.sslMode "disable")) }}
- name: postgresql-ca
  mountPath: /etc/switchboard/postgresql-ca
  readOnly: true
{{- end }}
{{- end -}}

{{/* Whether a component uses a database in this release: "true" or "". */}}
{{- define "switchboard.usesDatabase" -}}
{{- if .component.traits.database -}}true{{- else if and (eq .component.name "gateway") .root.Values.gateway.rateLimitDatabase -}}true{{- end -}}
{{- end -}}

{{/*
Every variable of one component, plain and secret: (dict "root" $ "component" $c "owner" bool)
The Deployment and its migrations Job render the same list (owner=true adds the owner role).
*/}}
{{- define "switchboard.componentEnv" -}}
{{- $root := .root -}}
{{- $c := .component -}}
{{- $full := include "switchboard.fullname" $root -}}
{{- $values := index $root.Values $c.name -}}
- name: NODE_ENV
  value: {{ $root.Values.nodeEnv | quote }}
- name: LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
- name: PORT
  value: {{ $c.port | quote }}
- name: METRICS_PORT
  value: {{ $c.metricsPort | quote }}
- name: AUTH_ISSUER
  value: {{ $root.Values.auth.issuer | quote }}
- name: AUTH_AUDIENCE
  value: {{ $root.Values.auth.audience | quote }}
- name: AUTH_JWKS_URL
  value: "http://{{ $full }}-accounts:4101/.well-known/jwks.json"
{{- if eq $c.name "gateway" }}
- name: ACCOUNTS_TOKEN_EXCHANGE_URL
  value: "http://{{ $full }}-accounts:4101/internal/token-exchange"
- name: GATEWAY_PUBLIC_URL
  value: "https://{{ $root.Values.publicHost }}"
- name: CORS_ORIGINS
  value: {{ $root.Values.gateway.corsOrigins | quote }}
{{- range $name, $other := (include "switchboard.components" $root | fromYaml) }}
{{- if $other.traits.subgraph }}
- name: SUBGRAPH_{{ $name | upper | replace "-" "_" }}_URL
  value: "http://{{ $full }}-{{ $name }}:{{ $other.port }}/graphql"
{{- end }}
{{- end }}
{{- if $root.Values.gateway.rateLimitDatabase }}
{{- include "switchboard.databaseEnv" (dict "root" $root "name" "gateway" "owner" .owner "prefix" "GATEWAY_") }}
{{- end }}
{{- else }}
{{- include "switchboard.kafkaEnv" $root }}
{{- include "switchboard.databaseEnv" (dict "root" $root "name" $c.name "owner" .owner "prefix" "") }}
{{- end }}
{{- if eq $c.name "accounts" }}
- name: APP_BASE_URL
  value: {{ $root.Values.appBaseUrl | default (printf "https://%s" $root.Values.publicHost) | quote }}
{{- end }}
{{- if eq $c.name "devices" }}
- name: PUBLIC_BASE_URL
  value: "https://{{ $root.Values.publicHost }}"
{{- end }}
{{- if eq $c.name "billing" }}
- name: PUBLIC_APP_URL
  value: {{ $root.Values.appBaseUrl | default (printf "https://%s" $root.Values.publicHost) | quote }}
{{- end }}
{{- if eq $c.name "ghl-sync" }}
- name: GHL_REDIRECT_URI
  value: "https://{{ $root.Values.publicHost }}/ghl/oauth/callback"
{{- end }}
{{- if or (eq $c.name "compliance") (eq $c.name "messaging") }}
- name: PUBLIC_DOWNLOAD_BASE_URL
  value: "https://{{ $root.Values.publicHost }}"
{{- end }}
{{- if eq $c.name "messaging" }}
- name: CARRIER_CALLBACK_BASE_URL
  value: "https://{{ $root.Values.publicHost }}"
{{- end }}
{{- range $c.traits.secrets }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.platformSecretName" $root }}
      key: {{ . }}
{{- end }}
{{- range $k, $v := $values.env }}
- name: {{ $k }}
  value: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{- define "switchboard.componentVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- if ne .component.name "gateway" }}
{{- include "switchboard.kafkaVolumes" .root }}
{{- end }}
{{- if include "switchboard.usesDatabase" . }}
{{- include "switchboard.postgresqlCaVolume" .root }}
{{- end }}
{{- end -}}

{{- define "switchboard.componentVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if ne .component.name "gateway" }}
{{- include "switchboard.kafkaVolumeMounts" .root }}
{{- end }}
{{- if include "switchboard.usesDatabase" . }}
{{- include "switchboard.postgresqlCaMount" .root }}
{{- end }}
{{- end -}}

{{/* The pod-level settings every workload shares. */}}
{{- define "switchboard.podCommon" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}
