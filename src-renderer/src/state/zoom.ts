/**
 * The preview's zoom: either "fit" (follows the view, as Figma's Zoom to fit) or a fixed
 * factor. The toolbar, the menu and the shortcuts all move along the same steps.
 */
export const ZOOMS = [0.25, 0.5, 1, 2, 3, 4, 8];

/**
 * Fit never enlarges: a captcha is judged at the size a visitor sees it, and an enlarged
 * raster would show pixels no visitor sees. 200% is one click or Ctrl+= away.
 */
export const FIT_MAX = 1;
/** Below this a 8192-wide design still fits a small window; smaller is not useful. */
export const FIT_MIN = 0.01;

export type ZoomSetting = 'fit' | number;

export interface Size {
  width: number;
  height: number;
}

/**
 * The largest zoom (at most FIT_MAX) at which `image` fits in `room`, floored to a whole
 * percent so that a one-pixel resize does not ask for a new render.
 */
export function fitZoom(image: Size, room: Size): number {
  if (image.width <= 0 || image.height <= 0 || room.width <= 0 || room.height <= 0) return FIT_MAX;
  const z = Math.min(FIT_MAX, room.width / image.width, room.height / image.height);
  return Math.max(FIT_MIN, Math.floor(z * 100 + 1e-9) / 100);
}

/** The zoom a setting means for this image in this room; fit is 100% until both are known. */
export function resolveZoom(setting: ZoomSetting, image: Size | null, room: Size | null): number {
  if (setting !== 'fit') return setting;
  return image && room ? fitZoom(image, room) : FIT_MAX;
}

/**
 * The step `steps` steps away from `zoom`, held at the first and last step. A zoom between
 * steps (a fitted one) moves to the neighbouring step in that direction.
 */
export function stepZoom(zoom: number, steps: number): number {
  let z = zoom;
  for (let i = 0; i < Math.abs(steps); i++) {
    const next = steps > 0 ? ZOOMS.find((s) => s > z + 1e-9) : ZOOMS.findLast((s) => s < z - 1e-9);
    if (next === undefined) break;
    z = next;
  }
  // A fitted zoom below the first step stays put on "out" rather than jumping up to it.
  return z;
}

export function canStep(zoom: number, steps: number): boolean {
  return stepZoom(zoom, steps) !== zoom;
}

/**
 * The device pixels per design pixel to render the preview at: what the view shows
 * (zoom x devicePixelRatio), or null (the design's full size, `designScale`) from 100% up
 * and wherever the view would need more: the image's own pixels are then shown enlarged
 * rather than redrawn finer than it will ever be served.
 */
export function renderScale(zoom: number, devicePixelRatio: number, designScale = 1): number | null {
  if (zoom >= 1) return null;
  const s = zoom * (devicePixelRatio > 0 ? devicePixelRatio : 1);
  return s >= designScale ? null : s;
}

/** The preview's zoom as a state: the setting and what it is resolved against. */
export interface ZoomState {
  setting: ZoomSetting;
  /** The room the stage has for the image (CSS pixels). */
  room: Size | null;
  /** The design size of the image on screen. */
  shown: Size | null;
  /** A just-opened design's own size, until an image of another size is shown. */
  hint: Size | null;
  /** The design last opened (by identity), so it is fitted once. */
  opened: unknown;
}

export type ZoomAction =
  | { type: 'step'; steps: number }
  | { type: 'actual' }
  | { type: 'fit' }
  | { type: 'room'; room: Size }
  | { type: 'shown'; size: Size | null }
  | { type: 'opened'; design: unknown; size: Size | null };

export const INITIAL_ZOOM: ZoomState = { setting: 'fit', room: null, shown: null, hint: null, opened: null };

const sameSize = (a: Size | null, b: Size | null) => a === b || (!!a && !!b && a.width === b.width && a.height === b.height);

/** The zoom a state shows. */
export function zoomOf(s: ZoomState): number {
  return resolveZoom(s.setting, s.hint ?? s.shown, s.room);
}

export function zoomReducer(s: ZoomState, a: ZoomAction): ZoomState {
  switch (a.type) {
    case 'step': {
      const z = stepZoom(zoomOf(s), a.steps);
      return z === s.setting ? s : { ...s, setting: z };
    }
    case 'actual':
      return s.setting === 1 ? s : { ...s, setting: 1 };
    case 'fit':
      return s.setting === 'fit' ? s : { ...s, setting: 'fit' };
    case 'room':
      return sameSize(s.room, a.room) ? s : { ...s, room: a.room };
    case 'shown':
      return sameSize(s.shown, a.size) && s.hint === null ? s : { ...s, shown: a.size, hint: null };
    case 'opened':
      return { ...s, setting: 'fit', hint: a.size, opened: a.design };
  }
}
