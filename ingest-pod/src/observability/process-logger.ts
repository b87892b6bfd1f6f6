// The logger of a process that serves many Streams (the push-listener, the buffer): JSON lines
// naming the component and replica, URLs redacted on the finished line like the ingest pod's
// (logger.ts), which names its one Stream on every line instead.
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import { redactJsonLine } from './logger.js';

export function createProcessLogger(options: {
  component: string;
  replica: string;
  level?: LevelWithSilent;
  destination?: DestinationStream;
}): Logger {
  const target = options.destination ?? pino.destination({ dest: 1, sync: true });
  const redacting: DestinationStream = { write: (line) => target.write(redactJsonLine(line)) };
  return pino(
    { level: options.level ?? 'info', base: { component: options.component, replica: options.replica } },
    redacting,
  );
}
