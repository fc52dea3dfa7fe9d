import { useEffect } from 'react';
import type { DesignInput, StudioApi } from '../../../src-main/api.ts';

const AUTOSAVE_AFTER_MS = 1000;

/** Autosaves the design shortly after edits stop, while `ready` (valid and unsaved): nothing is lost across a crash. */
export function useAutosave(api: StudioApi, design: DesignInput | null, ready: boolean): void {
  useEffect(() => {
    if (!design || !ready) return;
    const t = setTimeout(() => void api.autosave(design).catch(() => {}), AUTOSAVE_AFTER_MS);
    return () => clearTimeout(t);
  }, [api, design, ready]);
}
