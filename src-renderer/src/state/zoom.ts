/** The preview's zoom steps; the toolbar, the menu and the shortcuts all move along them. */
export const ZOOMS = [0.25, 0.5, 1, 2, 3, 4, 8];

/** The zoom `steps` steps away from `zoom`, held at the first and last step. */
export function stepZoom(zoom: number, steps: number): number {
  return ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, ZOOMS.indexOf(zoom) + steps))];
}
