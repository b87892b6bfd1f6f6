// The push-listener's logger: JSON lines naming the replica, URLs redacted on the finished line
// like the ingest pod's (logger.ts), which names a Stream on every line instead.
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import { redactJsonLine } from '../observability/logger.js';

export function createListenerLogger(options: {
  replica: string;
  level?: LevelWithSilent;
  destination?: DestinationStream;
}): Logger {
  const target = options.destination ?? pino.destination({ dest: 1, sync: true });
  const redacting: DestinationStream = { write: (line) => target.write(redactJsonLine(line)) };
  return pino(
    { level: options.level ?? 'info', base: { component: 'push-listener', replica: options.replica } },
    redacting,
  );
}
