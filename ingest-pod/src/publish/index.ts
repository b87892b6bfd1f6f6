export { connectNats, type NatsLink, type NatsLinkOptions } from './connection.js';
export {
  type BatchMeta,
  createPublisher,
  type EventType,
  type Publisher,
  type PublisherOptions,
  type PublisherSubjects,
  type StreamEvent,
} from './publisher.js';
