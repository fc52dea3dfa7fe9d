/** The local image server: status, start/stop, copyable snippets for the current design, and a live request log. */
import { memo, useEffect, useState } from 'react';
import type { DesignInput, PublishedDesign, RequestLogEntry, ServerStatus } from '../../../src-main/api.ts';
import { useApi } from './design-context.ts';

const MAX_LOG = 100;

export function snippets(url: string, published: PublishedDesign, design: { width?: number; height?: number; name?: string }): { label: string; text: string }[] {
  const src = `${url}${published.path}`;
  const size = `width="${design.width ?? ''}" height="${design.height ?? ''}"`;
  if (published.path.startsWith('/captcha.png')) {
    // A plain form works: the image sets an HttpOnly cookie with the captcha id.
    return [
      { label: 'URL', text: src },
      { label: '<img> tag', text: `<img src="${src}" ${size} alt="captcha">` },
      {
        label: 'Form with verification',
        text: `<form method="post" action="${url}/api/captcha/verify">\n  <img src="${src}" ${size} alt="captcha"\n       onclick="this.src = this.src.split('&_=')[0] + '&_=' + Date.now()">\n  <input name="answer" autocomplete="off" required>\n  <button>Verify</button>\n</form>`,
      },
    ];
  }
  const sep = published.path.includes('?') ? '&' : '?';
  return [
    { label: 'URL', text: src },
    { label: '<img> tag', text: `<img src="${src}" ${size} alt="${design.name ?? 'background'}">` },
    {
      label: 'Window-sized background (seed 000 style)',
      text: `<script>\n  document.body.style.background = "url(${src}${sep}width=" + innerWidth + "&height=" + innerHeight + ")";\n</script>`,
    },
  ];
}

export const ServerPanel = memo(function ServerPanel(props: { design: DesignInput; valid: boolean }) {
  const api = useApi();
  const [status, setStatus] = useState<ServerStatus | null>(null);
  const [published, setPublished] = useState<PublishedDesign | null>(null);
  const [log, setLog] = useState<RequestLogEntry[]>([]);
  const [copied, setCopied] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void api.serverStatus().then(setStatus, (e: Error) => setError(e.message));
    return api.onRequestLog((entry) => setLog((l) => [entry, ...l].slice(0, MAX_LOG)));
  }, [api]);

  // Publish the current design (debounced) so its URL serves exactly what the preview shows.
  useEffect(() => {
    if (!props.valid) return;
    const t = setTimeout(() => void api.publishDesign(props.design).then(setPublished, () => {}), 300);
    return () => clearTimeout(t);
  }, [api, props.design, props.valid]);

  const act = async (fn: () => Promise<ServerStatus>) => {
    setError(null);
    try {
      setStatus(await fn());
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const copy = async (label: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(label);
    } catch {
      setCopied(null);
      setError('The clipboard is not available here; select the text and copy it.');
    }
  };

  const url = status?.url ?? null;
  return (
    <section className="server-panel" aria-label="Image server">
      <h2>Image server</h2>
      <p>
        <span className={`dot ${status?.running ? 'on' : 'off'}`} aria-hidden /> {status?.running ? <>Running at <a href={`${url}/`} target="_blank" rel="noreferrer">{url}</a></> : 'Stopped'}
      </p>
      {status?.message && <p className="muted">{status.message}</p>}
      {status?.controllable && (
        <p>
          {status.running ? (
            <button type="button" onClick={() => act(() => api.stopServer())}>
              Stop server
            </button>
          ) : (
            <button type="button" onClick={() => act(() => api.startServer())}>
              Start server
            </button>
          )}
        </p>
      )}
      {url && published?.path.startsWith('/captcha.png') && (
        <p className="muted" data-testid="issuing-note">
          Every visitor gets a fresh captcha and answer, whatever seed the design has. The URL is signed with this server&apos;s secret: a page cannot change
          the design, size or noise, and your backend signs any other variant (README, &ldquo;Signed URLs&rdquo;).
        </p>
      )}
      {url && published && (
        <ul className="snippets">
          {snippets(url, published, props.design).map((s) => (
            <li key={s.label}>
              <div className="snippet-head">
                <span>{s.label}</span>
                <button type="button" onClick={() => copy(s.label, s.text)}>
                  {copied === s.label ? 'Copied' : 'Copy'}
                </button>
              </div>
              <pre>
                <code>{s.text}</code>
              </pre>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h3>Requests</h3>
      <div className="log" role="log" aria-live="off">
        {log.length === 0 ? (
          <p className="muted">Requests from your pages appear here.</p>
        ) : (
          <table>
            <tbody>
              {log.map((e, i) => (
                <tr key={`${e.time}-${i}`} className={e.status >= 400 ? 'bad' : ''}>
                  <td>{e.method}</td>
                  <td className="mono path">{e.path}</td>
                  <td>{e.status}</td>
                  <td>{e.ms} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
});
