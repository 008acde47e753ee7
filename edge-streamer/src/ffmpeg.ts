import type { CameraConfig } from './config.ts';

/**
 * The one ffmpeg command per camera: pull the source with as little buffering as ffmpeg allows,
 * scale, and write a stream of JPEGs to stdout. Each choice below was measured against the RTSP test
 * camera (bench/edge-streamer.ts):
 * - `-fflags nobuffer -flags low_delay` and a tiny probe: no read-ahead, and low_delay also turns
 *   off the H.264 decoder's frame threading, which delays output by one frame per thread;
 * - `-threads 1` on the MJPEG encoder: its frame threading held ~65 ms of frames at 15 fps;
 * - `-flush_packets 1`: each JPEG leaves the pipe at once instead of waiting in ffmpeg's buffer;
 * - scaling with `area`: a proper downscale filter, cheaper than the default bicubic.
 */
export function ffmpegArgs(camera: Pick<CameraConfig, 'url' | 'width' | 'fps' | 'quality'>): string[] {
  const filters = [`scale=${camera.width}:-2:flags=area`];
  // Drop frames above the cap without buffering any (the fps filter holds one frame to decide).
  if (camera.fps) {
    filters.unshift(
      `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${(0.85 / camera.fps).toFixed(4)})'`,
    );
  }
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...inputArgs(camera.url),
    '-map',
    '0:v:0',
    '-vf',
    filters.join(','),
    // Arrival stamps of frames that come in a burst (the host was busy, or the network held them back)
    // can round to one tick of the encoder's time base: "Invalid pts <= last", and ffmpeg exits. A
    // millisecond time base keeps them apart, and vfr drops a frame that still shares its stamp.
    '-fps_mode',
    'vfr',
    '-enc_time_base:v',
    '1:1000',
    '-c:v',
    'mjpeg',
    '-q:v',
    String(qscale(camera.quality)),
    '-threads',
    '1',
    '-f',
    'mjpeg',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

/** JPEG quality 1..100 to ffmpeg's MJPEG qscale 31..2 (lower is better). */
export const qscale = (quality: number) => Math.round(2 + ((100 - quality) * 29) / 99);

function inputArgs(url: string): string[] {
  const lowLatency = [
    '-fflags',
    'nobuffer',
    '-flags',
    'low_delay',
    '-probesize',
    '32768',
    '-analyzeduration',
    '0',
  ];
  // Frames are stamped on arrival: MJPEG over HTTP carries no timestamps, and an RTSP source may restart
  // its own (a camera's encoder reset, or a shared media when another client joins), which the MJPEG
  // encoder refuses ("Invalid pts <= last") and ffmpeg would exit. The fps cap then measures real time.
  // Socket timeouts in microseconds: a silent source makes ffmpeg exit instead of hanging.
  const arrival = ['-use_wallclock_as_timestamps', '1'];
  if (/^rtsps?:/i.test(url))
    return [...lowLatency, ...arrival, '-rtsp_transport', 'tcp', '-timeout', '5000000', '-i', url];
  if (/^https?:/i.test(url)) return [...lowLatency, ...arrival, '-rw_timeout', '5000000', '-i', url];
  // A file plays in a loop at its own pace, like a live source.
  const path = url.replace(/^file:\/\//i, '');
  return ['-re', '-stream_loop', '-1', '-i', path];
}
