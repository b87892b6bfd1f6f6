// The cluster harness: a real etcd + kube-apiserver (and optionally controller-manager, scheduler,
// kwok) from cached binaries, plus a node agent that runs pods as local processes.

export { DEFAULT_IMAGES, HOST_IMAGE, type ImageCommand, type ImageTable } from './agent/images.js';
export { NodeAgent, type NodeAgentOptions } from './agent/node-agent.js';
export { type KubeBinaries, kubeBinaries, REPO_ROOT } from './binaries.js';
export { ClusterClient, FIELD_MANAGER, type ObjectRef, parseManifest, randomSuffix } from './client.js';
export { type AgentOptions, Cluster, type ClusterOptions, startCluster } from './cluster.js';
export { KWOK_NODE_ANNOTATION, kwokNode } from './kwok.js';
export { type WaitOptions, waitFor } from './wait.js';
