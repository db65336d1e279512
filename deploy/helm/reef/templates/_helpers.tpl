{{/* The chart's name, and the release's full name (at most 63 characters: a DNS label). */}}
{{- define "reef.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "reef.fullname" -}}
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

{{- define "reef.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "reef.labels" -}}
helm.sh/chart: {{ include "reef.chart" . }}
{{ include "reef.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Reef's pods: also the REEF_KUBERNETES_REEF_POD_SELECTOR agents' network policies admit. */}}
{{- define "reef.selectorLabels" -}}
app.kubernetes.io/name: {{ include "reef.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The same labels as key=value,key=value, for the driver. */}}
{{- define "reef.podSelector" -}}
{{- $parts := list }}
{{- range $key, $value := include "reef.selectorLabels" . | fromYaml }}
{{- $parts = append $parts (printf "%s=%s" $key $value) }}
{{- end }}
{{- join "," $parts }}
{{- end }}

{{- define "reef.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "reef.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Cluster-wide objects are named after the namespace too: two releases of the same name must not collide. */}}
{{- define "reef.clusterRoleName" -}}
{{- printf "%s-%s" .Release.Namespace (include "reef.fullname" .) }}
{{- end }}

{{/* How agents reach Reef's LLM proxy: this release's Service. */}}
{{- define "reef.proxyUrl" -}}
{{- printf "http://%s.%s.svc.%s:%v/v1" (include "reef.fullname" .) .Release.Namespace .Values.kubernetes.clusterDomain .Values.service.port }}
{{- end }}

{{- define "reef.egressUrl" -}}
{{- printf "http://%s-egress.%s.svc.%s:%v" (include "reef.fullname" .) .Release.Namespace .Values.kubernetes.clusterDomain .Values.egress.port }}
{{- end }}

{{- define "reef.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Values that would make a Reef that cannot work: refused at install rather than found at run time. */}}
{{- define "reef.validate" -}}
{{- if not .Values.database.existingSecret }}
{{- fail "database.existingSecret: name the Secret holding REEF_DATABASE_URL (PostgreSQL); Reef on Kubernetes needs a database every replica shares" }}
{{- end }}
{{- if not .Values.masterKey.existingSecret }}
{{- fail "masterKey.existingSecret: name the Secret holding REEF_MASTER_KEY; it is required with PostgreSQL" }}
{{- end }}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.redis.existingSecret) }}
{{- fail "redis.existingSecret: more than one replica needs Redis (REEF_REDIS_URL), so that every replica enforces the same budgets and rate caps" }}
{{- end }}
{{- end }}
