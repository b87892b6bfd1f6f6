// @tributary/crds: the Tributary API as types, schemas and pure functions. No I/O.

export { doublingDelayMs } from './backoff.js';
export {
  bestRung,
  type CopySource,
  copySourceOf,
  copySubjects,
  copyUpstreams,
  type RungSize,
} from './copy-source.js';
export { streamCrd, vodMountCrd } from './crd/build.js';
export { parseDuration } from './duration.js';
export {
  clampFailoverMs,
  FAILOVER_LIMITS,
  type FailoverField,
  failoverRangeMessage,
} from './failover-limits.js';
export {
  assessIngestReport,
  type ConditionStatus,
  type ConditionValue,
  type IngestAssessment,
  type IngestReport,
  NOTHING_DEGRADED,
} from './ingest-assessment.js';
export {
  ConfigError,
  type ConfigProblem,
  INGEST_CONFIG_ENV,
  INGEST_STANDBY_ENV,
  type IngestConfig,
  type IngestInput,
  parseIngestConfig,
} from './ingest-config.js';
export { isNamespaceName, isResourceName, MAX_NAME_LENGTH } from './names.js';
export {
  type NatsIdentity,
  natsInboxPrefix,
  natsPermissions,
  type SubjectPermissions,
} from './nats-permissions.js';
export { type PushEndpoints, pushEndpoints } from './push-endpoints.js';
export {
  ACTIVE_MARK_HEARTBEAT_MS,
  ACTIVE_MARK_TTL_MS,
  type RegistryBuckets,
  registryBuckets,
  registryKvKey,
} from './push-registry.js';
export { RULES, type RuleId } from './rules.js';
export { type Condition, ConditionSchema } from './schema/condition.js';
export {
  API_VERSION,
  GROUP,
  type ObjectMeta,
  STREAM,
  type Stream,
  VERSION,
  VOD_MOUNT,
  type VodMount,
} from './schema/resources.js';
export {
  type FailoverSettings,
  type Rendition,
  type SecretKeyRef,
  type StreamInput,
  type StreamSpec,
  StreamSpecSchema,
} from './schema/stream-spec.js';
export {
  type InputError,
  type InputStatus,
  type LinkStatus,
  type PodRecreation,
  STREAM_PHASES,
  type StreamPhase,
  type StreamStatus,
  StreamStatusSchema,
  SWITCH_REASONS,
  type SwitchReason,
  type SwitchRecord,
  type TrackStatus,
} from './schema/stream-status.js';
export { type VodMountSpec, VodMountSpecSchema, type VodMountStatus } from './schema/vodmount.js';
export {
  allStreamsSubject,
  DEFAULT_SUBJECT_PREFIX,
  parseRouteKey,
  parseStreamSubject,
  routeKey,
  type StreamChannel,
  type StreamSubjects,
  subjectPrefixProblem,
  subjects,
} from './subjects.js';
export {
  type Classified,
  type CopyInput,
  classify,
  type FileInput,
  type HttpInput,
  type InputKind,
  type InputMode,
  isTsTransport,
  type PushInput,
  type RtmpPullInput,
  type RtspPullInput,
  type SrtPullInput,
  type UdpInput,
  type UrlError,
} from './url/classify.js';
export { isSecretParam, REDACTED, redactUrl } from './url/redact.js';
export { parseSrtStreamId, type SrtStreamId } from './url/srt-streamid.js';
export { redactStreamId, streamIdSecrets } from './url/streamid-secrets.js';
export { urlSecrets } from './url/url-secrets.js';
export { type Problem, type ResourceMeta, validateStream, validateVodMount } from './validate.js';
