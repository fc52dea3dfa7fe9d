/** The local image server: status, start/stop, copyable snippets for the current design, and a live request log. */
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import type { DesignInput, PublishedDesign, RequestLogEntry, ServerStatus } from '../../../src-main/api.ts';
import { useApi } from './design-context.ts';
import { snippets } from './snippets.ts';

const MAX_LOG = 100;
/** Long snippets (the captcha form) scroll in their box rather than stretch the panel. */
const SNIPPET_ROWS = 10;

/** Where the published design lives, in the words a user needs to keep it. */
function whereItLives(published: PublishedDesign, desktop: boolean): string {
  if (published.stored === 'preset') return `Served as the built-in preset “${published.name}”.`;
  if (published.stored === 'saved') return `Served from the server's --designs folder (${published.name}.json).`;
  const until = desktop ? 'in this app’s memory until you quit' : 'in this server’s memory until it stops';
  return `This edited design lives ${until}. To keep serving it, save it as ${published.name}.json into a folder and run “captcha-studio serve --designs <folder>”.`;
}

export const ServerPanel = memo(function ServerPanel(props: { design: DesignInput; valid: boolean }) {
  const api = useApi();
  const [status, setStatus] = useState<ServerStatus | null>(null);
  const [published, setPublished] = useState<PublishedDesign | null>(null);
  const [log, setLog] = useState<RequestLogEntry[]>([]);
  const [copied, setCopied] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lost, setLost] = useState<string | null>(null);
  const [unpublished, setUnpublished] = useState<string | null>(null);
  const last = useRef<PublishedDesign | null>(null);
  const valid = useRef<DesignInput | null>(null);

  useEffect(() => {
    void api.serverStatus().then(setStatus, (e: Error) => setError(e.message));
    return api.onRequestLog((entry) => setLog((l) => [entry, ...l].slice(0, MAX_LOG)));
  }, [api]);

  /**
   * Publishes the last valid design. When the server answers that it had to add a
   * design it was already serving (same name and version), it lost it: restarted,
   * or dropped it among the oldest. The URL answered 404 meanwhile; say so.
   */
  const publish = useCallback(
    (design: DesignInput, edited: boolean) =>
      api.publishDesign(design).then(
        (p) => {
          const before = last.current;
          if (edited) setLost(null);
          if (before && p.stored === 'memory' && p.added && before.stored === 'memory' && before.name === p.name && before.version === p.version) {
            setLost(`The server no longer had “${p.name}” (it restarted, or dropped it among its oldest designs), so its URL answered 404: published again.${p.path === before.path ? '' : ' The URL changed: copy the snippets again.'}`);
          }
          last.current = p;
          setPublished(p);
          setUnpublished(null);
        },
        // The snippets stay those of the last design the server took; say why they did not follow.
        (e: Error) => setUnpublished(`The server did not take this design, so the snippets below are older: ${e.message}`),
      ),
    [api],
  );

  // Publish the current design (debounced) so its URL serves exactly what the preview shows.
  useEffect(() => {
    if (!props.valid) return;
    valid.current = props.design;
    const t = setTimeout(() => void publish(props.design, true), 300);
    return () => clearTimeout(t);
  }, [publish, props.design, props.valid]);

  // Back from restarting the server in a terminal: check the design is still there.
  useEffect(() => {
    const recheck = () => {
      if (document.visibilityState === 'visible' && valid.current && last.current) void publish(valid.current, false);
    };
    window.addEventListener('focus', recheck);
    document.addEventListener('visibilitychange', recheck);
    return () => {
      window.removeEventListener('focus', recheck);
      document.removeEventListener('visibilitychange', recheck);
    };
  }, [publish]);

  const act = async (fn: () => Promise<ServerStatus>) => {
    setError(null);
    try {
      setStatus(await fn());
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const copy = async (id: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(id);
    } catch {
      setCopied(null);
      setError('The clipboard is not available here; select the text and copy it.');
    }
  };

  const url = status?.url ?? null;
  const desktop = status?.controllable ?? false;
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
      {url && published && (
        <>
          {lost && (
            <p className="warning" role="status" data-testid="republished-note">
              {lost}
            </p>
          )}
          {!props.valid && (
            <p className="muted" data-testid="last-valid-note">
              These snippets are for the last valid design: fix the marked field to update them.
            </p>
          )}
          {published.captcha && published.seed !== null && (
            <p className="warning" data-testid="fixed-seed-warning">
              This captcha has a fixed seed ({published.seed}), which issued captchas ignore: every visitor gets a fresh seed and answer. The seed fixes only
              exports and /designs/ images.
            </p>
          )}
          {published.captcha ? (
            <p className="muted" data-testid="issuing-note">
              Every visitor gets a fresh captcha and answer, whatever seed the design has. The URL is signed with this server&apos;s secret: a page cannot change
              the design, size or noise, and your backend signs any other variant (README, &ldquo;Signed URLs&rdquo;).
            </p>
          ) : (
            <p className="muted" data-testid="version-note">
              The URL carries this version of the design (v={published.version}), so browsers may keep it for good: after an edit, copy the snippets again. An
              old version&apos;s URL gets the current design, uncached.
            </p>
          )}
          <p className="muted" data-testid="stored-note">
            {whereItLives(published, desktop)}
          </p>
          <ul className="snippets">
            {snippets(url, published).map((s) => (
              <li key={s.id} data-snippet={s.id}>
                <div className="snippet-head">
                  <label htmlFor={`snippet-${s.id}`}>{s.label}</label>
                  {/* One name per button ("Copy form"), starting with the word it shows. */}
                  <button type="button" aria-label={`${copied === s.id ? 'Copied' : 'Copy'} ${s.what}`} onClick={() => copy(s.id, s.text)}>
                    {copied === s.id ? 'Copied' : 'Copy'}
                  </button>
                </div>
                {s.note && (
                  <p className="muted snippet-note" id={`snippet-${s.id}-note`}>
                    {s.note}
                  </p>
                )}
                {/* A read-only text box: labelled, scrolls when long, and selectable in one go by keyboard. */}
                <textarea
                  id={`snippet-${s.id}`}
                  className="snippet mono"
                  readOnly
                  spellCheck={false}
                  wrap="soft"
                  rows={Math.min(SNIPPET_ROWS, s.text.split('\n').length + 1)}
                  value={s.text}
                  aria-describedby={s.note ? `snippet-${s.id}-note` : undefined}
                />
              </li>
            ))}
          </ul>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {unpublished && (
        <p className="error" role="alert" data-testid="publish-error">
          {unpublished}
        </p>
      )}
      <h3>Requests</h3>
      {/* Focusable: it scrolls once full, and keyboard users must be able to scroll it. */}
      <div className="log" role="log" aria-live="off" aria-label="Requests" tabIndex={0}>
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
