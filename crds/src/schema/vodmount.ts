import Type from 'typebox';
import { ConditionSchema } from './condition.js';
import { bool, cel, int, list, obj, type Static, str } from './helpers.js';

const absolutePath = (description: string) =>
  str(description, { minLength: 1, maxLength: 4096, pattern: '^/' });

export const VodMountSpecSchema = obj(
  'The volume holding the files. Set exactly one source. Ingest pods see it read-only at /vod/<name>, and inputs address its files as file://<name>/<relative/path>.',
  {
    persistentVolumeClaim: Type.Optional(
      obj("A PersistentVolumeClaim in the VodMount's namespace.", {
        claimName: str('Name of the claim.', { minLength: 1, maxLength: 253 }),
        readOnly: Type.Optional(
          bool('Mount the claim read-only. Ingest pods always mount it read-only; default true.'),
        ),
      }),
    ),
    nfs: Type.Optional(
      obj('An NFS export.', {
        server: str('Host name or IP address of the NFS server.', { minLength: 1, maxLength: 253 }),
        path: absolutePath('Exported path, e.g. /exports/vod.'),
      }),
    ),
    configMap: Type.Optional(
      obj("A ConfigMap in the VodMount's namespace; each key becomes a file (small files only).", {
        name: str('Name of the ConfigMap.', { minLength: 1, maxLength: 253 }),
      }),
    ),
    hostPath: Type.Optional(
      obj('A directory on the node. Only when the chart allows hostPath mounts.', {
        path: absolutePath('Directory on the node, e.g. /srv/vod.'),
      }),
    ),
  },
  cel('vodMountSpec'),
);

export const VodMountStatusSchema = obj('What the operator observed. Written by the operator.', {
  observedGeneration: Type.Optional(
    int('The .metadata.generation this status describes.', { format: 'int64', minimum: 0 }),
  ),
  conditions: Type.Optional(
    list('Ready: the volume source exists and can be mounted.', ConditionSchema, {
      maxItems: 8,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    }),
  ),
});

export type VodMountSpec = Static<typeof VodMountSpecSchema>;
export type VodMountStatus = Static<typeof VodMountStatusSchema>;
