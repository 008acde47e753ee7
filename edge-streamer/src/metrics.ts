import type { Camera, CameraStatus } from './camera.ts';
import type { HeartbeatStats } from './heartbeat.ts';
import type { ViewerHub } from './viewers.ts';

export interface CameraEntry {
  camera: Camera;
  hub: ViewerHub;
}

type Sample = [labels: Record<string, string>, value: number];

interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: Sample[];
}

const STATUSES: CameraStatus[] = ['online', 'connecting', 'offline'];

/** Prometheus text exposition (format 0.0.4) of the cameras, their viewers and the heartbeat. */
export function renderMetrics(entries: CameraEntry[], heartbeat: HeartbeatStats, now = Date.now()): string {
  const per = (fn: (e: CameraEntry) => number): Sample[] =>
    entries.map((e) => [{ camera: e.camera.id }, fn(e)]);
  const families: Family[] = [
    {
      name: 'edge_camera_info',
      type: 'gauge',
      // No source label: even redacted, a camera URL names hosts and paths on the LAN.
      help: 'Configured cameras.',
      samples: entries.map(({ camera }) => [{ camera: camera.id, name: camera.config.name }, 1]),
    },
    {
      name: 'edge_camera_status',
      type: 'gauge',
      help: 'Camera status, 1 for the current one.',
      samples: entries.flatMap(({ camera }) =>
        STATUSES.map((status): Sample => [{ camera: camera.id, status }, camera.status === status ? 1 : 0]),
      ),
    },
    {
      name: 'edge_ffmpeg_running',
      type: 'gauge',
      help: '1 while the camera has an ffmpeg process.',
      samples: per((e) => (e.camera.running ? 1 : 0)),
    },
    {
      name: 'edge_ffmpeg_spawns_total',
      type: 'counter',
      help: 'ffmpeg processes started.',
      samples: per((e) => e.camera.stats.spawns),
    },
    {
      name: 'edge_ffmpeg_restarts_total',
      type: 'counter',
      help: 'Unplanned ffmpeg ends (crash, stall, failed connection) followed by a retry.',
      samples: per((e) => e.camera.stats.restarts),
    },
    {
      name: 'edge_frames_in_total',
      type: 'counter',
      help: 'JPEG frames received from ffmpeg.',
      samples: per((e) => e.camera.stats.framesIn),
    },
    {
      name: 'edge_bytes_in_total',
      type: 'counter',
      help: 'JPEG bytes received from ffmpeg.',
      samples: per((e) => e.camera.stats.bytesIn),
    },
    {
      name: 'edge_frames_out_total',
      type: 'counter',
      help: 'Frames written to MJPEG viewers (one per viewer per frame).',
      samples: per((e) => e.hub.stats.framesOut),
    },
    {
      name: 'edge_frames_dropped_total',
      type: 'counter',
      help: 'Frames skipped for viewers whose socket was still busy.',
      samples: per((e) => e.hub.stats.framesDropped),
    },
    {
      name: 'edge_bytes_out_total',
      type: 'counter',
      help: 'Bytes written to MJPEG viewers.',
      samples: per((e) => e.hub.stats.bytesOut),
    },
    {
      name: 'edge_viewers',
      type: 'gauge',
      help: 'Connected MJPEG viewers.',
      samples: per((e) => e.hub.count),
    },
    {
      name: 'edge_viewer_queued_bytes',
      type: 'gauge',
      help: 'Bytes written to viewers and not yet taken by their sockets.',
      samples: per((e) => e.hub.queuedBytes()),
    },
    {
      name: 'edge_last_frame_age_seconds',
      type: 'gauge',
      help: 'Seconds since the last frame (NaN before the first).',
      samples: per((e) => (e.camera.lastFrameAt === undefined ? NaN : (now - e.camera.lastFrameAt) / 1000)),
    },
    {
      name: 'edge_camera_fps',
      type: 'gauge',
      help: 'Measured frames per second while online.',
      samples: per((e) => e.camera.fps ?? 0),
    },
    {
      name: 'edge_heartbeats_total',
      type: 'counter',
      help: 'Heartbeats sent, by result.',
      samples: [
        [{ result: 'ok' }, heartbeat.ok],
        [{ result: 'failed' }, heartbeat.failed],
      ],
    },
    {
      name: 'edge_heartbeat_last_success_timestamp_seconds',
      type: 'gauge',
      help: 'Unix time of the last accepted heartbeat (0: none yet).',
      samples: [[{}, heartbeat.lastSuccessAt ? heartbeat.lastSuccessAt / 1000 : 0]],
    },
  ];
  return families.map(renderFamily).join('');
}

function renderFamily({ name, type, help, samples }: Family): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) lines.push(`${name}${renderLabels(labels)} ${renderValue(value)}`);
  return `${lines.join('\n')}\n`;
}

function renderLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => LABEL_ESCAPES[c]!)}"`,
  );
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

const LABEL_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n' };

const renderValue = (v: number) => (Number.isNaN(v) ? 'NaN' : String(v));
