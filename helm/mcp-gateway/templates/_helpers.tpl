{{- define "mcp-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mcp-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mcp-gateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "mcp-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "mcp-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mcp-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end }}

{{- define "mcp-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mcp-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mcp-gateway.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "mcp-gateway.secretName" -}}
{{- default (printf "%s-secrets" (include "mcp-gateway.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/*
The bundled PostgreSQL password: given, else the one already stored (upgrades), else a new random one, chosen once
per render (remembered in .Values) so the database and the gateway's DATABASE_URL agree.
*/}}
{{- define "mcp-gateway.postgresPassword" -}}
{{- if not .Values.postgresql.password }}
{{- $password := randAlphaNum 32 }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (printf "%s-postgresql" (include "mcp-gateway.fullname" .)) }}
{{- if $existing }}
{{- if $existing.data }}
{{- if hasKey $existing.data "password" }}
{{- $password = index $existing.data "password" | b64dec }}
{{- end }}
{{- end }}
{{- end }}
{{- $_ := set .Values.postgresql "password" $password }}
{{- end }}
{{- .Values.postgresql.password }}
{{- end }}

{{- define "mcp-gateway.databaseUrl" -}}
{{- if .Values.database.url }}
{{- .Values.database.url }}
{{- else if .Values.postgresql.enabled }}
{{- if not (regexMatch "^[A-Za-z0-9._~-]+$" (printf "%s%s" .Values.postgresql.username (include "mcp-gateway.postgresPassword" .))) }}
{{- fail "postgresql.username and postgresql.password may only use A-Z a-z 0-9 . _ ~ - (they go into DATABASE_URL)" }}
{{- end }}
{{- printf "postgresql://%s:%s@%s-postgresql:5432/%s" .Values.postgresql.username (include "mcp-gateway.postgresPassword" .) (include "mcp-gateway.fullname" .) .Values.postgresql.database }}
{{- else }}
{{- fail "Set database.url (postgresql:// or mysql://) or enable postgresql: several replicas need a shared database" }}
{{- end }}
{{- end }}

{{- define "mcp-gateway.redisUrl" -}}
{{- if .Values.redis.url }}
{{- .Values.redis.url }}
{{- else if .Values.bundledRedis.enabled }}
{{- printf "redis://%s-redis:6379/0" (include "mcp-gateway.fullname" .) }}
{{- end }}
{{- end }}

{{/* Where the pods and the migration job get their settings. */}}
{{- define "mcp-gateway.envFrom" -}}
- configMapRef:
    name: {{ include "mcp-gateway.fullname" . }}
- secretRef:
    name: {{ include "mcp-gateway.secretName" . }}
{{- end }}

{{/*
ALLOWED_HOSTS (the Host names MCP endpoints and /rpc answer to, against DNS rebinding): the ingress hosts, the
Service's in-cluster names, localhost (kubectl port-forward) and `allowedHosts` from values. `config.ALLOWED_HOSTS`
replaces it all.
*/}}
{{- define "mcp-gateway.allowedHosts" -}}
{{- $svc := include "mcp-gateway.fullname" . }}
{{- $hosts := list "localhost" "127.0.0.1" $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.hosts }}
{{- $hosts = append $hosts .host }}
{{- end }}
{{- end }}
{{- range .Values.allowedHosts }}
{{- $hosts = append $hosts . }}
{{- end }}
{{- join "," (uniq $hosts) }}
{{- end }}
