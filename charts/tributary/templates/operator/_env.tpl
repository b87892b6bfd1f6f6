{{/* The operator's configuration: everything it needs arrives as environment variables. */}}
{{- define "tributary.operator.env" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: LOG_LEVEL
  value: {{ .Values.operator.logLevel | quote }}
- name: WATCH_NAMESPACES
  value: {{ join "," .Values.watchNamespaces | quote }}
- name: NATS_URL
  value: {{ include "tributary.natsUrl" . | quote }}
{{- if .Values.nats.auth.enabled }}
- name: NATS_AUTH_SECRET
  value: {{ include "tributary.nats.authSecret" . | quote }}
- name: READER_NATS_SECRET
  value: {{ .Values.nats.auth.readerSecretName | quote }}
{{- if .Values.nats.tls.enabled }}
# The NATS server's CA: trusted by the operator's Node, and handed to every pod with its credential.
- name: NATS_CA_FILE
  value: {{ printf "%s/ca.crt" (include "tributary.nats.caDir" .) | quote }}
- name: NODE_EXTRA_CA_CERTS
  value: {{ printf "%s/ca.crt" (include "tributary.nats.caDir" .) | quote }}
{{- end }}
{{- if .Values.pushListener.enabled }}
- name: PUSH_LISTENER_NATS_SECRET
  value: {{ include "tributary.pushListener.natsSecret" . | quote }}
{{- end }}
{{- if .Values.buffer.enabled }}
- name: BUFFER_NATS_SECRET
  value: {{ include "tributary.buffer.natsSecret" . | quote }}
- name: BUFFER_NAMESPACES
  value: {{ join "," .Values.buffer.namespaces | quote }}
{{- end }}
{{- else if .Values.nats.credentials.secretName }}
- name: NATS_CREDS
  value: {{ printf "/etc/tributary/nats/%s" .Values.nats.credentials.key | quote }}
- name: INGEST_NATS_CREDS_SECRET
  value: {{ printf "%s/%s" .Values.nats.credentials.secretName .Values.nats.credentials.key | quote }}
{{- end }}
- name: SUBJECT_PREFIX
  value: {{ .Values.nats.subjectPrefix | quote }}
- name: INGEST_IMAGE
  value: {{ include "tributary.image" (dict "root" . "image" .Values.ingest.image) | quote }}
- name: INGEST_POD_DEFAULTS
  value: {{ include "tributary.ingest.podDefaults" . | quote }}
- name: ALLOW_HOST_PATH
  value: {{ .Values.ingest.allowHostPath | quote }}
- name: ALLOW_HOST_NETWORK
  value: {{ .Values.operator.allowHostNetwork | quote }}
- name: ALLOWED_NFS_SERVERS
  value: {{ join "," .Values.operator.allowedNfsServers | quote }}
- name: REQUIRE_MEMORY_LIMIT
  value: {{ .Values.operator.requireMemoryLimit | quote }}
{{- if .Values.operator.secretLabel }}
- name: SECRET_LABEL
  value: {{ .Values.operator.secretLabel | quote }}
{{- end }}
- name: METRICS_ADDR
  value: {{ printf "%s:%d" .Values.operator.metrics.bindAddress (int .Values.operator.metrics.port) | quote }}
- name: LEADER_ELECTION
  value: {{ .Values.operator.leaderElection.enabled | quote }}
- name: LEASE_NAME
  value: {{ include "tributary.leaseName" . | quote }}
- name: LEASE_DURATION
  value: {{ .Values.operator.leaderElection.leaseDuration | quote }}
- name: LEASE_RENEW_DEADLINE
  value: {{ .Values.operator.leaderElection.renewDeadline | quote }}
- name: LEASE_RETRY_PERIOD
  value: {{ .Values.operator.leaderElection.retryPeriod | quote }}
- name: RESYNC_PERIOD
  value: {{ .Values.operator.resyncPeriod | quote }}
- name: WORKERS
  value: {{ .Values.operator.workers | quote }}
{{- if .Values.pushListener.enabled }}
- name: PUSH_RTMP_URL
  value: {{ include "tributary.pushListener.rtmpUrl" . | quote }}
- name: PUSH_SRT_URL
  value: {{ include "tributary.pushListener.srtUrl" . | quote }}
- name: PUSH_SEALING_KEY_FILE
  value: {{ printf "%s/%s" (include "tributary.pushListener.sealingKeyDir" .) .Values.pushListener.sealingKey.key | quote }}
{{- end }}
{{- end }}

{{/* Defaults the operator applies to every ingest pod, as one JSON object. */}}
{{- define "tributary.ingest.podDefaults" -}}
{{- $defaults := dict
  "imagePullPolicy" .Values.ingest.image.pullPolicy
  "resources" .Values.ingest.resources
  "priorityClassName" .Values.ingest.priorityClassName
  "nodeSelector" .Values.ingest.nodeSelector
  "tolerations" .Values.ingest.tolerations
  "imagePullSecrets" .Values.imagePullSecrets
}}
{{- toJson $defaults }}
{{- end }}
