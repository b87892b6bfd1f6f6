{{/* Names, labels and small values shared by the templates. */}}

{{- define "tributary.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-<chart>, or just <release> when it already contains the chart name. At most 46
characters, so that the longest Service name (<fullname>-operator-metrics) is a 63-character label. */}}
{{- define "tributary.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 46 | trimSuffix "-" }}
{{- else }}
{{- $name := include "tributary.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 46 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 46 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tributary.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "tributary.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tributary
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: pass (dict "root" $ "component" "operator"). */}}
{{- define "tributary.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tributary.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "tributary.componentLabels" -}}
{{ include "tributary.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "tributary.operator.fullname" -}}
{{- printf "%s-operator" (include "tributary.fullname" .) }}
{{- end }}

{{- define "tributary.nats.fullname" -}}
{{- printf "%s-nats" (include "tributary.fullname" .) }}
{{- end }}

{{- define "tributary.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tributary.operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tributary.leaseName" -}}
{{- default (include "tributary.operator.fullname" .) .Values.operator.leaderElection.leaseName }}
{{- end }}

{{/* repository:tag, or repository@digest; pass an image block and the root context. */}}
{{- define "tributary.image" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) }}
{{- end }}
{{- end }}

{{/* The NATS URL every component uses: the in-chart server's Service, or nats.url. */}}
{{- define "tributary.natsUrl" -}}
{{- if .Values.nats.enabled }}
{{- printf "%s://%s.%s.svc:4222" (ternary "tls" "nats" .Values.nats.tls.enabled) (include "tributary.nats.fullname" .) .Release.Namespace }}
{{- else }}
{{- required "nats.url is required when nats.enabled is false (the URL of your NATS)" .Values.nats.url }}
{{- end }}
{{- end }}

{{/* Labels the operator puts on every ingest pod (the PodMonitor selects them). */}}
{{- define "tributary.ingest.selectorLabels" -}}
app.kubernetes.io/name: tributary-ingest
app.kubernetes.io/managed-by: tributary-operator
{{- end }}

{{/* At most 60 characters: a Service name (a 63-character label). */}}
{{- define "tributary.pushListener.fullname" -}}
{{- printf "%s-push-listener" (include "tributary.fullname" .) }}
{{- end }}

{{/* Where the operator finds the NATS server's CA certificate (nats.tls). */}}
{{- define "tributary.nats.caDir" -}}
/etc/tributary/nats-ca
{{- end }}

{{/* The Secret the operator keeps the NATS authority in (keys, and the server's auth.conf). */}}
{{- define "tributary.nats.authSecret" -}}
{{- printf "%s-nats-auth" (include "tributary.fullname" .) }}
{{- end }}

{{/* The push-listener's NATS credential: minted by the operator, or the one given for an existing NATS. */}}
{{- define "tributary.pushListener.natsSecret" -}}
{{- if .Values.nats.auth.enabled }}
{{- printf "%s-push-listener-nats" (include "tributary.fullname" .) }}
{{- else }}
{{- .Values.nats.credentials.secretName }}
{{- end }}
{{- end }}

{{- define "tributary.pushListener.natsSecretKey" -}}
{{- if .Values.nats.auth.enabled }}nats.creds{{ else }}{{ .Values.nats.credentials.key }}{{ end }}
{{- end }}

{{- define "tributary.pushListener.sealingKeySecret" -}}
{{- default (printf "%s-push-sealing-key" (include "tributary.fullname" .)) .Values.pushListener.sealingKey.existingSecret }}
{{- end }}

{{/* Where the operator and the listener find the sealing key PEM. */}}
{{- define "tributary.pushListener.sealingKeyDir" -}}
/etc/tributary/push
{{- end }}

{{/* The host encoders publish to: pushListener.publicHost, else the Service's in-cluster name. */}}
{{- define "tributary.pushListener.host" -}}
{{- default (printf "%s.%s.svc" (include "tributary.pushListener.fullname" .) .Release.Namespace) .Values.pushListener.publicHost }}
{{- end }}

{{/* rtmp://<host>[:port] (1935 is RTMP's default port and left out, as encoders expect). */}}
{{- define "tributary.pushListener.rtmpUrl" -}}
{{- $port := int .Values.pushListener.service.rtmpPort }}
{{- if eq $port 1935 }}
{{- printf "rtmp://%s" (include "tributary.pushListener.host" .) }}
{{- else }}
{{- printf "rtmp://%s:%d" (include "tributary.pushListener.host" .) $port }}
{{- end }}
{{- end }}

{{- define "tributary.pushListener.srtUrl" -}}
{{- printf "srt://%s:%d" (include "tributary.pushListener.host" .) (int .Values.pushListener.service.srtPort) }}
{{- end }}

{{/* At most 53 characters; its metrics Service, <fullname>-buffer-metrics, at most 61. */}}
{{- define "tributary.buffer.fullname" -}}
{{- printf "%s-buffer" (include "tributary.fullname" .) }}
{{- end }}

{{/* The buffer's NATS credential: minted by the operator, or the one given for an existing NATS. */}}
{{- define "tributary.buffer.natsSecret" -}}
{{- if .Values.nats.auth.enabled }}
{{- printf "%s-buffer-nats" (include "tributary.fullname" .) }}
{{- else }}
{{- .Values.nats.credentials.secretName }}
{{- end }}
{{- end }}
