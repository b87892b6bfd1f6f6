// Apart from the command, so `tributary --help` does not load the buffer.
export const BUFFER_USAGE = `usage: tributary buffer [--namespace <ns>]... [--host <ip>] [--port <n>] [--metrics-port <n>]
    [--window-seconds <s>] [--max-mb-per-stream <n>] [--nats-url <url>] [--nats-creds <file>]
    [--subject-prefix <p>] [--replica <name>] [--push-rtmp-url <url>] [--push-srt-url <url>]
  Keeps the last --window-seconds (default 30) of every Stream in the given namespaces (all when
  none is given), cut at keyframes, and serves it on --host (default 0.0.0.0) --port (default 8000):
  GET /streams (JSON), GET /<namespace>/<stream>.ts (live MPEG-TS from the latest keyframe),
  GET /<namespace>/<stream>/index.m3u8 (low-latency HLS), and the web console on GET /, which
  shows encoders' publish URLs when given the push-listener's (e.g. rtmp://push.example.com).
  /healthz, /readyz and /metrics on --metrics-port (default 8080). NATS from --nats-url or env
  NATS_URL (and --nats-creds or env NATS_CREDS); --replica defaults to env HOSTNAME.`;
