/**
 * The preview's zoom as the user set it ("fit" or a factor), resolved against the
 * image's size and the room the stage has, and the screen's device pixel ratio.
 * Designs open fitted; any zoom step leaves fit mode until "Fit" is chosen again.
 */
import { useMemo, useReducer, useSyncExternalStore } from 'react';
import type { DesignInput } from '../../../src-main/api.ts';
import { INITIAL_ZOOM, zoomOf, zoomReducer, type Size, type ZoomSetting } from '../state/zoom.ts';

export interface ZoomControl {
  setting: ZoomSetting;
  /** The zoom shown: CSS pixels per design pixel. */
  zoom: number;
  fitted: boolean;
  devicePixelRatio: number;
  /** The room the stage has for the image (CSS pixels), as the preview pane measures it. */
  setRoom(room: Size): void;
  /** The design size of the image on screen. */
  setImage(image: Size | null): void;
  step(steps: number): void;
  actual(): void;
  fit(): void;
}

function subscribeRatio(onChange: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => {};
  // A resolution query matches one ratio only: re-armed after each change (another monitor, browser zoom).
  let query: MediaQueryList | null = null;
  const changed = () => {
    arm();
    onChange();
  };
  function arm() {
    query?.removeEventListener('change', changed);
    query = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    query.addEventListener('change', changed);
  }
  arm();
  return () => query?.removeEventListener('change', changed);
}
const ratio = () => window.devicePixelRatio || 1;

/** The width and height a design names, to fit a just-opened design before its first render. */
function namedSize(design: DesignInput): Size | null {
  const d = design as { width?: unknown; height?: unknown };
  return typeof d.width === 'number' && typeof d.height === 'number' && d.width > 0 && d.height > 0 ? { width: d.width, height: d.height } : null;
}

/**
 * `opened`: the design, and whether it was just opened (no undo history either way):
 * an opened design is shown fitted, whatever the zoom was.
 */
export function useZoom(opened: { design: DesignInput | null; fresh: boolean }): ZoomControl {
  const [state, dispatch] = useReducer(zoomReducer, INITIAL_ZOOM);
  const devicePixelRatio = useSyncExternalStore(subscribeRatio, ratio, () => 1);
  // Adjusted while rendering (React's pattern for state that follows a prop), so the
  // first request for a just-opened design already asks for the fitted size.
  if (opened.fresh && opened.design && opened.design !== state.opened) dispatch({ type: 'opened', design: opened.design, size: namedSize(opened.design) });

  const actions = useMemo(
    () => ({
      setRoom: (room: Size) => dispatch({ type: 'room', room }),
      setImage: (size: Size | null) => dispatch({ type: 'shown', size }),
      step: (steps: number) => dispatch({ type: 'step', steps }),
      actual: () => dispatch({ type: 'actual' }),
      fit: () => dispatch({ type: 'fit' }),
    }),
    [],
  );
  return { setting: state.setting, zoom: zoomOf(state), fitted: state.setting === 'fit', devicePixelRatio, ...actions };
}
