{{/* BitBroker chart helpers: names, labels, and the broker container shared by both modes. */}}

{{- define "bitbroker.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "bitbroker.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "bitbroker.labels" -}}
{{ include "bitbroker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The health port: set, or 8080; in agones mode 8081, since the Agones sidecar holds 8080 in the pod. */}}
{{- define "bitbroker.healthPort" -}}
{{- $agones := eq .Values.mode "agones" -}}
{{- $port := .Values.broker.healthPort | default (ternary 8081 8080 $agones) | int -}}
{{- if and $agones (eq $port 8080) -}}
{{- fail "broker.healthPort must not be 8080 in agones mode: the Agones sidecar listens on 8080 in the same pod" -}}
{{- end -}}
{{- $port -}}
{{- end -}}

{{/* SIGTERM comes after preStop; then the drain, then up to 2 s to close: 5 s of margin on top. */}}
{{- define "bitbroker.terminationGraceSeconds" -}}
{{- $drain := div (add (int .Values.broker.drainMs) 999) 1000 -}}
{{- add (int .Values.preStopSeconds) $drain 5 -}}
{{- end -}}

{{- define "bitbroker.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The broker container; `agones` adds BROKER_AGONES and leaves liveness to Agones's health pings. */}}
{{- define "bitbroker.container" -}}
{{- $agones := eq .Values.mode "agones" -}}
name: bitbroker
image: {{ include "bitbroker.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
# The image's ENTRYPOINT is /bitbroker; every setting comes from the environment.
env:
  - { name: BROKER_HOST, value: "0.0.0.0" }
  - { name: BROKER_PORT, value: {{ .Values.broker.port | quote }} }
  - { name: BROKER_HEALTH_PORT, value: {{ include "bitbroker.healthPort" . | quote }} }
  - { name: BROKER_NUM_PLAYERS, value: {{ .Values.broker.numPlayers | quote }} }
  - { name: BROKER_MOVE_TIMEOUT_MS, value: {{ .Values.broker.moveTimeoutMs | quote }} }
  - { name: BROKER_HELLO_TIMEOUT_MS, value: {{ .Values.broker.helloTimeoutMs | quote }} }
  - { name: BROKER_DRAIN_MS, value: {{ .Values.broker.drainMs | quote }} }
  {{- if .Values.broker.matches }}
  - { name: BROKER_MATCHES, value: {{ .Values.broker.matches | quote }} }
  {{- end }}
  - { name: LOG_LEVEL, value: {{ .Values.broker.logLevel | quote }} }
  - { name: LOG_FORMAT, value: json }
  {{- if $agones }}
  - { name: BROKER_AGONES, value: "on" }
  {{- end }}
  {{- range $name, $value := .Values.env }}
  {{- if or (eq $name "BROKER_DB") (regexMatch "TOKEN|SECRET|PASSWORD" $name) }}
  {{- fail (printf "env.%s looks like a secret: set it through secretEnv (a Kubernetes Secret)" $name) }}
  {{- end }}
  - { name: {{ $name }}, value: {{ $value | quote }} }
  {{- end }}
  {{- range .Values.secretEnv }}
  - name: {{ .name }}
    valueFrom:
      secretKeyRef: { name: {{ .secretName }}, key: {{ .key }}{{ if .optional }}, optional: true{{ end }} }
  {{- end }}
ports:
  {{- if not $agones }}
  - { name: bitbroker, containerPort: {{ .Values.broker.port }}, protocol: TCP }
  {{- end }}
  {{- /* Under Agones the broker's port is the Fleet's spec.ports: Agones adds it here, with its host port. */}}
  - { name: health, containerPort: {{ include "bitbroker.healthPort" . }}, protocol: TCP }
{{- if not $agones }}
# Alive: GET /health answers (bitbroker healthcheck reads BROKER_HEALTH_PORT; distroless has no curl).
livenessProbe:
  exec: { command: ["/bitbroker", "healthcheck"] }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
{{- end }}
# Ready: takes new clients (GET /ready); a draining broker is alive but not ready.
readinessProbe:
  exec: { command: ["/bitbroker", "healthcheck", "--ready"] }
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 1
{{- if and (not $agones) (gt (int .Values.preStopSeconds) 0) }}
lifecycle:
  preStop:
    sleep: { seconds: {{ .Values.preStopSeconds }} }
{{- end }}
resources:
  {{- toYaml .Values.resources | nindent 2 }}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: { drop: [ALL] }
  seccompProfile: { type: RuntimeDefault }
volumeMounts:
  - { name: tmp, mountPath: /tmp }
{{- end -}}

{{- define "bitbroker.podSpecExtras" -}}
securityContext: { runAsNonRoot: true }
terminationGracePeriodSeconds: {{ include "bitbroker.terminationGraceSeconds" . }}
volumes:
  - { name: tmp, emptyDir: { sizeLimit: 16Mi } }
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
