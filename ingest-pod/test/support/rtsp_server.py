# A GStreamer RTSP server for the RTSP client tests. Run with /usr/bin/python3 (it has gi):
#   rtsp_server.py PORT [--h265] [--tcp-only] [--session-timeout S] [--user NAME --password SECRET]
#                  [--size WxH] [--bitrate KBPS]   (H.264 on /test; default 320x240 at x264enc's 2048)
# Mounts /test (H.264 + AAC) and, with --h265, /h265 (H.265 + AAC). Prints "ready PORT" once
# listening and "teardown" whenever a client sends TEARDOWN.
import argparse
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

AUDIO = 'audiotestsrc is-live=true ! avenc_aac ! aacparse ! rtpmp4gpay name=pay1 pt=97'


def h264(size, bitrate):
    width, height = size.split('x')
    rate = f' bitrate={bitrate}' if bitrate else ''
    # Noise when a bitrate is asked for: bars, or a moving ball, compress far below any target.
    pattern = ' pattern=snow' if bitrate else ''
    return (
        f'videotestsrc is-live=true{pattern} ! video/x-raw,width={width},height={height},framerate=25/1 ! '
        f'x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25{rate} ! h264parse ! rtph264pay name=pay0 pt=96'
    )


H265 = (
    'videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=25/1 ! '
    'x265enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! h265parse ! rtph265pay name=pay0 pt=96'
)


def factory(launch, args, auth):
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(f'( {launch} {AUDIO} )')
    f.set_shared(True)
    if args.tcp_only:
        f.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    if auth:
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role('user', 'media.factory.access', True)
        permissions.add_permission_for_role('user', 'media.factory.construct', True)
        f.set_permissions(permissions)
    return f


def on_client(args, client):
    client.connect('teardown-request', lambda *_: print('teardown', flush=True))
    if args.session_timeout is not None:
        client.connect('new-session', lambda _c, session: session.set_timeout(args.session_timeout))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('port', type=int)
    parser.add_argument('--h265', action='store_true')
    parser.add_argument('--tcp-only', action='store_true')
    parser.add_argument('--session-timeout', type=int)
    parser.add_argument('--user')
    parser.add_argument('--password')
    parser.add_argument('--size', default='320x240')
    parser.add_argument('--bitrate', type=int)
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(args.port))
    auth = args.user is not None
    if auth:
        rtsp_auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string('media.factory.role', 'user')
        rtsp_auth.add_digest(args.user, args.password, token)
        rtsp_auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        server.set_auth(rtsp_auth)
    mounts = server.get_mount_points()
    mounts.add_factory('/test', factory(h264(args.size, args.bitrate), args, auth))
    if args.h265:
        mounts.add_factory('/h265', factory(H265, args, auth))
    server.connect('client-connected', lambda _server, client: on_client(args, client))
    if server.attach(None) == 0:
        print(f'cannot listen on 127.0.0.1:{args.port}', file=sys.stderr, flush=True)
        sys.exit(1)
    print(f'ready {args.port}', flush=True)
    GLib.MainLoop().run()


main()
