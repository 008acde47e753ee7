import type { Api } from '../api.ts';

/** One screen of the console; `dispose` stops what it runs (webcam, stream polling) when leaving it. */
export interface View {
  element: HTMLElement;
  dispose?: () => void;
}

export type ViewFactory = (api: Api) => View;

export interface Face {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  landmarks: Record<string, { x: number; y: number }>;
  age: number;
  gender: { value: string; score: number };
  emotion: { value: string; scores: Record<string, number> };
  pose: { yaw: number; pitch: number; roll: number };
  quality: { faceSize: number; sharpness: number; brightness: number };
}
