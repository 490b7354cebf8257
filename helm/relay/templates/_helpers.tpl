{{/* Names and labels shared by every template. */}}

{{- define "relay.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "relay.fullname" -}}
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

{{- define "relay.selectorLabels" -}}
app.kubernetes.io/name: {{ include "relay.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "relay.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "relay.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: sfu
app.kubernetes.io/part-of: relay
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "relay.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* The Secret with the API keys file. */}}
{{- define "relay.keysSecret" -}}
{{- default (printf "%s-keys" (include "relay.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{- define "relay.kafkaSecret" -}}
{{- default (printf "%s-kafka" (include "relay.fullname" .)) .Values.kafka.existingSecret }}
{{- end }}

{{/* Pods there may be at most: one media Service per pod must exist for each of them. */}}
{{- define "relay.maxPods" -}}
{{- if .Values.autoscaling.enabled }}{{ max .Values.replicaCount .Values.autoscaling.maxReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{/* Seconds from SIGTERM's preStop to a forced kill: preStop + drain + grace + the relay's own 1 s + margin. */}}
{{- define "relay.terminationGrace" -}}
{{- add .Values.relay.preStopSleepSeconds .Values.relay.drainTimeoutSeconds .Values.relay.shutdownGraceSeconds 5 }}
{{- end }}

{{/* Checks that the schema cannot express with a clear message. */}}
{{- define "relay.validate" -}}
{{- if and (not .Values.auth.devMode) (not .Values.auth.existingSecret) (not .Values.auth.keys) }}
{{- fail "auth: access tokens are required: set auth.keys or auth.existingSecret (or auth.devMode=true for a test cluster)" }}
{{- end }}
{{- $pods := int (include "relay.maxPods" .) }}
{{- if and (eq .Values.media.mode "loadBalancer") (lt (len .Values.media.loadBalancer.addresses) $pods) }}
{{- fail (printf "media.loadBalancer.addresses: %d address(es) for up to %d pods; pod N advertises addresses[N]" (len .Values.media.loadBalancer.addresses) $pods) }}
{{- end }}
{{- if and (eq .Values.media.mode "nodePort") (gt (add .Values.media.nodePort.base $pods -1) 32767) }}
{{- fail "media.nodePort.base: base + pods - 1 is above 32767, the end of the default node port range" }}
{{- end }}
{{- if and (gt $pods 1) (not .Values.cluster.enabled) (not (and .Values.ingress.enabled .Values.ingress.roomAffinity)) }}
{{- fail "more than one pod: a room lives on one pod, so enable cluster (Redis, redirects) or ingress with ingress.roomAffinity (routing by ?room=)" }}
{{- end }}
{{- if and .Values.kafka.enabled (not .Values.kafka.bootstrap) }}
{{- fail "kafka.enabled: set kafka.bootstrap (host:port,...)" }}
{{- end }}
{{- if and .Values.kafka.spool.enabled (not .Values.kafka.enabled) }}
{{- fail "kafka.spool.enabled: the spool holds events for Kafka; set kafka.enabled too" }}
{{- end }}
{{- end }}

{{- define "relay.clusterSecret" -}}
{{- printf "%s-cluster" (include "relay.fullname" .) }}
{{- end }}
