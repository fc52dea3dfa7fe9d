/** The left column: built-in presets and recent designs, each with a thumbnail drawn by the core. */
import { memo, useEffect, useState } from 'react';
import type { PresetSummary, RecentDesign } from '../../../src-main/api.ts';
import { useApi } from './design-context.ts';

export const Sidebar = memo(function Sidebar(props: { current: string | null; onPreset(name: string): void; onRecent(path: string): void; recentVersion: number }) {
  const api = useApi();
  const [presets, setPresets] = useState<PresetSummary[]>([]);
  const [thumbs, setThumbs] = useState<Record<string, string>>({});
  const [recent, setRecent] = useState<RecentDesign[]>([]);

  useEffect(() => {
    let live = true;
    void api.listPresets().then(async (list) => {
      if (!live) return;
      setPresets(list);
      for (const p of list) {
        const url = await api.getPreset(p.name).then((d) => api.renderThumbnail(d, 1)).catch(() => null);
        if (!live) return;
        if (url) setThumbs((t) => ({ ...t, [p.name]: url }));
      }
    });
    return () => {
      live = false;
    };
  }, [api]);

  useEffect(() => {
    void api.listRecent().then(setRecent, () => setRecent([]));
  }, [api, props.recentVersion]);

  return (
    <nav className="sidebar" aria-label="Designs">
      <h2>Presets</h2>
      <ul className="design-list">
        {presets.map((p) => (
          <li key={p.name}>
            <button type="button" className={props.current === p.name ? 'selected' : ''} aria-current={props.current === p.name ? 'true' : undefined} onClick={() => props.onPreset(p.name)} data-preset={p.name}>
              <span className="thumb">{thumbs[p.name] ? <img src={thumbs[p.name]} alt="" /> : null}</span>
              <span className="label">
                {p.name}
                <small>
                  {p.kind} · {p.width}×{p.height}
                </small>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <h2>Recent</h2>
      {recent.length === 0 ? (
        <p className="muted">Designs you open or save appear here.</p>
      ) : (
        <ul className="design-list">
          {recent.map((r) => (
            <li key={r.path}>
              <button type="button" onClick={() => props.onRecent(r.path)} title={r.path}>
                <span className="thumb">{r.thumbnail ? <img src={r.thumbnail} alt="" /> : null}</span>
                <span className="label">
                  {r.name}
                  <small>
                    {r.width}×{r.height}
                  </small>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
});
