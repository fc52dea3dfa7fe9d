import { useEffect, useState } from 'react';
import type { StudioApi, StudioInfo } from '../../../src-main/api.ts';

/** Desktop or web, and the problems found at start, shown once through `notify` (a state setter: its identity must not change). */
export function useStudioInfo(api: StudioApi, notify: (message: string) => void): StudioInfo {
  const [info, setInfo] = useState<StudioInfo>({ mode: 'web', version: '', problems: [] });
  useEffect(() => {
    let live = true;
    void api.info().then(
      (i) => {
        if (!live) return;
        setInfo(i);
        if (i.problems?.length) notify(i.problems.join(' · '));
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [api, notify]);
  return info;
}
