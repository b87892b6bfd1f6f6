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
# Secrets: listed and watched by metadata only; one a Stream references is read (get) and its
# values kept as digests, to validate references and notice rotation. Never copied.
# The operator writes its own Secrets (create + patch: server-side apply): the key of those
# digests and, with NATS authorization, the credentials it mints. Never a Secret it did not create.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create, patch]
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
