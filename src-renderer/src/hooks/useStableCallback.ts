import { useCallback, useLayoutEffect, useRef } from 'react';

/**
 * A callback with a fixed identity that runs the latest closure: memoised children
 * given it (the sidebar) then skip the re-renders a new function would cause. The
 * closure is swapped in after each commit, never during render.
 */
export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const latest = useRef(fn);
  useLayoutEffect(() => {
    latest.current = fn;
  });
  return useCallback((...args: A) => latest.current(...args), []);
}
