import { z } from 'zod';

/**
 * The one rule for camera ids, used by the API (POST /v1/edge/heartbeat) and by the edge-streamer's
 * config: 1 to 64 characters of letters, digits, `_`, `.` and `-`, starting with a letter or digit.
 * The id becomes a URL path segment (`/cameras/{cameraId}/stream.mjpeg`) and part of database keys,
 * so `.`, `..` and other dot- or dash-led ids, which URL clients resolve or tools read as options,
 * are refused. It lives here because the streamer's Docker image holds only edge-streamer/.
 */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const cameraIdSchema = z
  .string()
  .regex(
    CAMERA_ID_PATTERN,
    'must be 1 to 64 characters of letters, digits, "_", "." or "-", starting with a letter or digit',
  );
