{{/*
What the operator may do in a watched namespace: no wildcards, each verb one it uses. Kept equal
to operator/deploy/rbac.yaml by a test.
*/}}
{{- define "tributary.operator.rules" -}}
# Informers list and watch; status is written by server-side apply (patch).
- apiGroups: [tributary.io]
  resources: [streams, vodmounts]
  verbs: [list, watch]
- apiGroups: [tributary.io]
  resources: [streams/status]
  verbs: [patch]
# The push route finalizer is added to and removed from Streams with a merge patch.
- apiGroups: [tributary.io]
  resources: [streams]
  verbs: [patch]
# Ingest pods set blockOwnerDeletion on their Stream, which needs update on its finalizers.
- apiGroups: [tributary.io]
  resources: [streams/finalizers]
  verbs: [update]
# Ingest pods: created by server-side apply (create + patch), deleted when they must change.
- apiGroups: [""]
  resources: [pods]
  verbs: [list, watch, create, patch, delete]
# Secrets that Streams reference: validated and watched for rotation, never copied.
- apiGroups: [""]
  resources: [secrets]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end }}

{{/* Leader election: creating cannot be limited to a name; everything else is only on the Lease. */}}
{{- define "tributary.operator.leaseRules" -}}
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [create]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  resourceNames: [{{ include "tributary.leaseName" . }}]
  verbs: [get, update]
{{- end }}
