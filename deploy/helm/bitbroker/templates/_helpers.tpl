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

{{/* TLS (README "TLS"): the Secret's files are mounted here; BROKER_TLS_CERT and BROKER_TLS_KEY point at them. */}}
{{- define "bitbroker.tlsDir" -}}/etc/bitbroker/tls{{- end -}}

{{/* The broker's settings that the chart sets from tls.*, and what to set instead (README "Fleet"). */}}
{{- define "bitbroker.tlsSettings" -}}
BROKER_TLS_CERT: set tls.secretName to a kubernetes.io/tls Secret instead (the chart mounts its tls.crt and tls.key and sets BROKER_TLS_CERT and BROKER_TLS_KEY to them)
BROKER_TLS_KEY: set tls.secretName to a kubernetes.io/tls Secret instead (the chart mounts its tls.crt and tls.key and sets BROKER_TLS_CERT and BROKER_TLS_KEY to them)
BROKER_PLAIN_PORT: set tls.plainPort instead
BROKER_PLAIN_HOST: set tls.plainPort instead (the chart binds the plain port to the pod's addresses, behind a ClusterIP Service)
{{- end -}}

{{/* tls.plainPort, checked against the rest; empty when there is none. Its Service is always ClusterIP (service.yaml). */}}
{{- define "bitbroker.plainPort" -}}
{{- with .Values.tls.plainPort -}}
{{- $port := int . -}}
{{- if not $.Values.tls.secretName -}}
{{- fail "tls.plainPort is a plain port beside TLS: set tls.secretName too (without TLS, broker.port is plain already)" -}}
{{- end -}}
{{- if eq $.Values.mode "agones" -}}
{{- fail "tls.plainPort is for mode: deployment: under Agones a broker is reached at its node's address and host port, which must carry TLS only; run v1 clients against a Deployment" -}}
{{- end -}}
{{- if or (eq $port (int $.Values.broker.port)) (eq $port (int (include "bitbroker.healthPort" $))) -}}
{{- fail (printf "tls.plainPort must differ from broker.port and the health port; it is %d" $port) -}}
{{- end -}}
{{- $port -}}
{{- end -}}
{{- end -}}

{{- define "bitbroker.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The broker container; `agones` adds BROKER_AGONES and leaves liveness to Agones's health pings. */}}
{{- define "bitbroker.container" -}}
{{- $agones := eq .Values.mode "agones" -}}
{{- $plainPort := include "bitbroker.plainPort" . -}}
{{- $tlsSettings := include "bitbroker.tlsSettings" . | fromYaml -}}
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
  {{- if .Values.tls.secretName }}
  - { name: BROKER_TLS_CERT, value: {{ printf "%s/tls.crt" (include "bitbroker.tlsDir" .) | quote }} }
  - { name: BROKER_TLS_KEY, value: {{ printf "%s/tls.key" (include "bitbroker.tlsDir" .) | quote }} }
  {{- end }}
  {{- if $plainPort }}
  - { name: BROKER_PLAIN_PORT, value: {{ $plainPort | quote }} }
  - { name: BROKER_PLAIN_HOST, value: "0.0.0.0" }
  {{- end }}
  {{- range $name, $value := .Values.env }}
  {{- if or (eq $name "BROKER_DB") (regexMatch "TOKEN|SECRET|PASSWORD" $name) }}
  {{- fail (printf "env.%s looks like a secret: set it through secretEnv (a Kubernetes Secret)" $name) }}
  {{- end }}
  {{- if hasKey $tlsSettings $name }}
  {{- fail (printf "env.%s is the chart's to set: %s" $name (get $tlsSettings $name)) }}
  {{- end }}
  - { name: {{ $name }}, value: {{ $value | quote }} }
  {{- end }}
  {{- range .Values.secretEnv }}
  {{- if hasKey $tlsSettings .name }}
  {{- fail (printf "secretEnv %s is the chart's to set: %s" .name (get $tlsSettings .name)) }}
  {{- end }}
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
  {{- if $plainPort }}
  - { name: plain, containerPort: {{ $plainPort }}, protocol: TCP }
  {{- end }}
{{- if not $agones }}
# Alive: GET /health answers (bitbroker healthcheck reads BROKER_HEALTH_PORT; distroless has no curl).
{{- if .Values.tls.secretName }}
# With BROKER_TLS_CERT, bitbroker healthcheck speaks HTTPS and trusts exactly that certificate.
{{- end }}
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
  {{- if .Values.tls.secretName }}
  - { name: tls, mountPath: {{ include "bitbroker.tlsDir" . }}, readOnly: true }
  {{- end }}
{{- end -}}

{{- define "bitbroker.podSpecExtras" -}}
{{- if .Values.tls.secretName -}}
# fsGroup: the Secret's files are the broker's group's (mode 0440), readable by it alone.
securityContext: { runAsNonRoot: true, fsGroup: 65532 }
{{- else -}}
securityContext: { runAsNonRoot: true }
{{- end }}
terminationGracePeriodSeconds: {{ include "bitbroker.terminationGraceSeconds" . }}
volumes:
  - { name: tmp, emptyDir: { sizeLimit: 16Mi } }
{{- with .Values.tls.secretName }}
  # Only the certificate chain and its key (a cert-manager Secret also holds ca.crt); a Secret
  # without them keeps the pod from starting, and says which key is missing. 288 = 0440.
  - name: tls
    secret:
      secretName: {{ . }}
      items: [{ key: tls.crt, path: tls.crt }, { key: tls.key, path: tls.key }]
      defaultMode: 288
{{- end }}
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
