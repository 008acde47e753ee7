#!/usr/bin/python3
"""RTSP test camera: a live H.264 test pattern served by GstRtspServer.

Run with Debian's /usr/bin/python3 (the python3 first on PATH has no `gi`):
    /usr/bin/python3 scripts/test-camera/rtsp_server.py --port 8554 --path /test

Prints `READY <url>` on stdout once it listens. With --timecode every frame carries the wall-clock
time (ms since the epoch) at which it was produced, painted as a row of black/white blocks near the
bottom edge, so a viewer can measure source-to-viewer latency (see scripts/test-camera/timecode.ts).
"""
import argparse
import ctypes
import os
import signal
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

# Keep in step with scripts/test-camera/timecode.ts.
TIMECODE_BITS = 42  # ms since the epoch fits in 42 bits until the year 2109
TIMECODE_BLOCKS_PER_WIDTH = 48
BLACK, WHITE = 16, 235  # limited-range luma


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8554)
    p.add_argument("--path", default="/test")
    p.add_argument("--width", type=int, default=1920)
    p.add_argument("--height", type=int, default=1080)
    p.add_argument("--fps", type=int, default=15)
    p.add_argument("--pattern", default="ball", help="videotestsrc pattern")
    p.add_argument("--overlay", choices=["time", "clock", "none"], default="time",
                   help="timeoverlay (running time), clockoverlay (wall clock) or nothing")
    p.add_argument("--timecode", action="store_true", help="paint the production time into every frame")
    p.add_argument("--exit-with-stdin", action="store_true",
                   help="exit when stdin closes (the parent that started us died)")
    return p.parse_args()


def launch_line(a):
    overlay = {
        "time": "timeoverlay font-desc=\"Sans 36\" ! ",
        "clock": "clockoverlay font-desc=\"Sans 36\" ! ",
        "none": "",
    }[a.overlay]
    return (
        f"( videotestsrc name=src is-live=true pattern={a.pattern} "
        f"! video/x-raw,format=I420,width={a.width},height={a.height},framerate={a.fps}/1 "
        f"! {overlay}x264enc tune=zerolatency speed-preset=ultrafast key-int-max={a.fps} "
        f"! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


class _MapInfo(ctypes.Structure):
    _fields_ = [
        ("memory", ctypes.c_void_p), ("flags", ctypes.c_int), ("data", ctypes.c_void_p),
        ("size", ctypes.c_size_t), ("maxsize", ctypes.c_size_t),
        ("user_data", ctypes.c_void_p * 4), ("_reserved", ctypes.c_void_p * 4),
    ]


class Timecode:
    """Paints the current time into raw I420 frames as they leave videotestsrc.

    PyGObject holds extra references to probed buffers, so GStreamer refuses a writable map; the
    frame memory is nonetheless exclusively ours (videotestsrc redraws each pooled buffer), so we
    map it for reading through ctypes and write the luma rows directly.
    """

    def __init__(self, width, height):
        self.gst = ctypes.CDLL("libgstreamer-1.0.so.0")
        self.gst.gst_buffer_map.argtypes = [ctypes.c_void_p, ctypes.POINTER(_MapInfo), ctypes.c_int]
        self.gst.gst_buffer_map.restype = ctypes.c_int
        self.gst.gst_buffer_unmap.argtypes = [ctypes.c_void_p, ctypes.POINTER(_MapInfo)]
        self.stride = (width + 3) & ~3  # GStreamer's default I420 luma stride
        self.block = width // TIMECODE_BLOCKS_PER_WIDTH
        self.y0 = height - 2 * self.block
        self.x0 = self.block

    def probe(self, _pad, info):
        buf = info.get_buffer()
        ms = int(time.time() * 1000)
        # Two reference blocks (white, black) let the reader pick its threshold; then the bits, MSB first.
        bits = [1, 0] + [(ms >> (TIMECODE_BITS - 1 - i)) & 1 for i in range(TIMECODE_BITS)]
        row = b"".join((bytes([WHITE]) if b else bytes([BLACK])) * self.block for b in bits)
        m = _MapInfo()
        if not self.gst.gst_buffer_map(hash(buf), ctypes.byref(m), 1):  # hash() is the GstBuffer pointer
            return Gst.PadProbeReturn.OK
        try:
            for y in range(self.y0, self.y0 + self.block):
                ctypes.memmove(m.data + y * self.stride + self.x0, row, len(row))
        finally:
            self.gst.gst_buffer_unmap(hash(buf), ctypes.byref(m))
        return Gst.PadProbeReturn.OK


def main():
    a = parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(a.host)
    server.set_service(str(a.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch_line(a))
    factory.set_shared(True)  # every client shares one encoder, like a real camera's stream
    if a.timecode:
        timecode = Timecode(a.width, a.height)

        def on_configure(_factory, media):
            pad = media.get_element().get_by_name("src").get_static_pad("src")
            pad.add_probe(Gst.PadProbeType.BUFFER, timecode.probe)

        factory.connect("media-configure", on_configure)
    server.get_mount_points().add_factory(a.path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on {a.host}:{a.port}", file=sys.stderr)
        sys.exit(1)

    loop = GLib.MainLoop()
    GLib.timeout_add_seconds(2, lambda: server.get_session_pool().cleanup() >= 0)
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, lambda: loop.quit() or False)
    if a.exit_with_stdin:
        def on_stdin(fd, _condition):
            if os.read(fd, 4096):
                return True
            loop.quit()
            return False

        GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    print(f"READY rtsp://{a.host}:{a.port}{a.path}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
