// The operator image's entrypoint when the harness's node agent runs it as a local process. In a
// container the client finds the ServiceAccount token and CA at /var/run/secrets/...; under the
// agent that path lives below TRIBUTARY_POD_ROOT, which the operator's in-cluster loader does not
// know. This writes the same in-cluster settings as a kubeconfig, then starts the operator, which
// so authenticates as the chart's ServiceAccount, under the chart's RBAC.
import fs from 'node:fs';
import path from 'node:path';

const root = process.env.TRIBUTARY_POD_ROOT;
const host = process.env.KUBERNETES_SERVICE_HOST;
const port = process.env.KUBERNETES_SERVICE_PORT;
if (!root || !host || !port)
  throw new Error('run me as a pod of the node agent (TRIBUTARY_POD_ROOT, KUBERNETES_SERVICE_*)');
const secrets = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
const kubeconfig = path.join(root, '.in-cluster.kubeconfig');
fs.writeFileSync(
  kubeconfig,
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'in-cluster',
        cluster: { server: `https://${host}:${port}`, 'certificate-authority': `${secrets}/ca.crt` },
      },
    ],
    users: [
      {
        name: 'pod',
        user: { tokenFile: `${secrets}/token` },
      },
    ],
    contexts: [{ name: 'pod', context: { cluster: 'in-cluster', user: 'pod' } }],
    'current-context': 'pod',
  }),
  { mode: 0o600 },
);
process.env.KUBECONFIG = kubeconfig;
await import('../../operator/src/main.js');
