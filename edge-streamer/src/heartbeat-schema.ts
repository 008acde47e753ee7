import { z } from 'zod';
import { cameraIdSchema } from './camera-id.ts';

/**
 * The body of `POST /v1/edge/heartbeat`, one schema for both ends: the API validates with it and the
 * streamer builds its body to it. It lives in edge-streamer/ because the streamer's Docker image holds
 * only this folder; the API imports it from here.
 */

export const CAMERA_STATUSES = ['online', 'offline', 'connecting'] as const;
export type CameraStatus = (typeof CAMERA_STATUSES)[number];

export const reportedCameraSchema = z.object({
  cameraId: cameraIdSchema,
  name: z.string().min(1).max(128),
  status: z.enum(CAMERA_STATUSES),
  width: z.number().int().positive().max(16384).optional(),
  height: z.number().int().positive().max(16384).optional(),
  fps: z.number().positive().max(240).optional(),
});
export type ReportedCamera = z.infer<typeof reportedCameraSchema>;

export const heartbeatBodySchema = z.object({
  siteId: z.string().min(1).max(64),
  publicUrl: z.url({ protocol: /^https?$/ }),
  cameras: z.array(reportedCameraSchema).max(200),
});
export type HeartbeatBody = z.infer<typeof heartbeatBodySchema>;
