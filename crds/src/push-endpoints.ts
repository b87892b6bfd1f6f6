/** Where encoders publish to one Stream, given the push-listener's addresses. */
export interface PushEndpoints {
  rtmp?: string;
  srt?: string;
}

/**
 * `rtmp://push.example.com` → `rtmp://push.example.com/<ns>/<stream>`; `srt://push.example.com:9000`
 * → `…?streamid=publish:<ns>/<stream>`. Never a key or passphrase.
 */
export function pushEndpoints(
  listener: { rtmp?: string | undefined; srt?: string | undefined },
  namespace: string,
  stream: string,
): PushEndpoints {
  const out: PushEndpoints = {};
  if (listener.rtmp) out.rtmp = `${listener.rtmp.replace(/\/$/, '')}/${namespace}/${stream}`;
  // The `publish:` form needs no percent-encoding, which some callers (ffmpeg 5.1) never undo.
  if (listener.srt) out.srt = `${listener.srt}?streamid=publish:${namespace}/${stream}`;
  return out;
}
