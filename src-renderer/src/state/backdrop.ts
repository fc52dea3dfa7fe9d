/**
 * What the preview shows behind a transparent image. A faint shape can vanish on the
 * checkerboard (seed 000's ellipse), so the user picks light, dark or any colour; the
 * choice is the user's, not the design's, and is remembered in this browser.
 */
export type BackdropKind = 'checker' | 'light' | 'dark' | 'custom';

export interface Backdrop {
  kind: BackdropKind;
  /** The custom colour (#rrggbb), kept while another kind is chosen. */
  color: string;
}

export const BACKDROP_KINDS: { kind: BackdropKind; label: string }[] = [
  { kind: 'checker', label: 'Checkerboard' },
  { kind: 'light', label: 'Light' },
  { kind: 'dark', label: 'Dark' },
  { kind: 'custom', label: 'Custom colour' },
];

/** Fixed colours, not the theme's: the point is to see the image on light and on dark whatever the theme. */
export const BACKDROP_LIGHT = '#ffffff';
export const BACKDROP_DARK = '#1a1a1a';

export const BACKDROP_KEY = 'captcha-studio:backdrop';
export const DEFAULT_BACKDROP: Backdrop = { kind: 'checker', color: '#7f7f7f' };

const HEX = /^#[0-9a-f]{6}$/i;

/** The remembered backdrop; the default when none is stored or it is not one we wrote. */
export function loadBackdrop(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): Backdrop {
  try {
    const v = JSON.parse(storage?.getItem(BACKDROP_KEY) ?? 'null') as Partial<Backdrop> | null;
    if (v && BACKDROP_KINDS.some((k) => k.kind === v.kind) && typeof v.color === 'string' && HEX.test(v.color)) return { kind: v.kind!, color: v.color };
  } catch {
    // Unreadable (storage disabled or a hand-edited value): the default is fine.
  }
  return DEFAULT_BACKDROP;
}

export function saveBackdrop(b: Backdrop, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(BACKDROP_KEY, JSON.stringify(b));
  } catch {
    // Storage full or disabled: the choice lasts for this page only.
  }
}

/** The CSS background for a backdrop; the checkerboard's colours come from the theme. */
export function backdropBackground(b: Backdrop): string {
  switch (b.kind) {
    case 'light':
      return BACKDROP_LIGHT;
    case 'dark':
      return BACKDROP_DARK;
    case 'custom':
      return b.color;
    default:
      return 'repeating-conic-gradient(var(--check-a) 0 25%, var(--check-b) 0 50%) 0 0 / 16px 16px';
  }
}
