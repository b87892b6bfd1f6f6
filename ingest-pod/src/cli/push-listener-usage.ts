// Apart from the command, so `tributary --help` does not load the push-listener's servers.
export const PUSH_LISTENER_USAGE = `usage: tributary push-listener [--host <ip>] [--rtmp-port <n>] [--srt-port <n>]
    [--metrics-port <n>] [--nats-url <url>] [--nats-creds <file>] [--subject-prefix <p>]
    [--sealing-key-file <pem>] [--replica <name>] [--idle-timeout-seconds <s>] [--data-dir <dir>]
    [--srt-latency-ms <ms>]
  The shared RTMP (default 1935/tcp) and SRT (default 9000/udp) ingest on --host (default 0.0.0.0);
  /healthz, /readyz and /metrics on --metrics-port (default 8080). NATS from --nats-url or env
  NATS_URL (and --nats-creds or env NATS_CREDS); --replica defaults to env HOSTNAME. SRT passphrases
  are opened with --sealing-key-file or env PUSH_SEALING_KEY_FILE; without it SRT is refused.`;
