/** The server's HTML: an index of routes with live examples, and the two seed pages unchanged. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findResourceDir } from '../core/resources.ts';
import type { PresetSummary } from '../core/presets.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface IndexPageOptions {
  /** Web mode is on and open to this request: the page points to the designer. */
  studio?: boolean;
}

export function indexPage(origin: string, designs: (PresetSummary & { source: string })[], opts: IndexPageOptions = {}): string {
  const snippet = (s: string) => `<pre><code>${esc(s)}</code></pre>`;
  const designRows = designs
    .map(
      (d) =>
        `<tr><td><a href="/designs/${esc(d.name)}.png"><img src="/designs/${esc(d.name)}.png?seed=1${d.width > 400 ? '&width=320&height=' + Math.round((320 * d.height) / d.width) : ''}" alt="${esc(d.name)}" style="max-width:320px"></a></td><td><code>/designs/${esc(d.name)}.png</code><br>${esc(d.kind)}, ${d.width}x${d.height} (${esc(d.source)})<br><small>${esc(d.description)}</small></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Captcha Studio server</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;background:#fff}pre{background:#f4f4f4;padding:.6rem;white-space:pre-wrap;overflow-wrap:anywhere}td{vertical-align:top;padding:.4rem}img{border:1px solid #ddd}a{color:#0b57d0}</style></head>
<body>
<main>
<h1>Captcha Studio image server</h1>
<p>Serving on <code>${esc(origin)}</code>. Every image below is live.</p>
${opts.studio ? '<p><strong><a href="/studio/">Open the designer</a></strong> (web mode, <code>/studio/</code>): design captchas and backgrounds, then serve them from here.</p>\n' : ''}
<h2>Backgrounds</h2>
<p><img src="/background.png?width=320&amp;height=120&amp;bg=%23cfd8dc" alt="background"> <code>GET /background.png?width=&amp;height=</code> (seed 000's ellipse by default; any design field as a query override)</p>
<p>Seed 000's window-sized page background, unchanged:</p>
${snippet(`<script>
  var height = innerHeight;
  var width = innerWidth;
  document.body.background = "${origin}/utils/genback/?width=" + width + "&height=" + height;
  document.body.style.backgroundAttachment = 'fixed';
  document.body.style.backgroundPosition = 'right center';
</script>`)}

<h2>Captchas</h2>
<p><img src="/captcha.png" alt="captcha"> <code>GET /captcha.png</code> — the operator's design with a fresh answer, sealed into the id sent in <code>X-Captcha-Id</code> and the <code>captcha_id_PORT</code> cookie. Other designs and overrides only in URLs your backend signs (<code>sig=</code>, see the README's “Signed URLs”).</p>
<p><img src="/get_validCode_img" width="270" height="40" alt="seed 002 captcha"> <code>GET /get_validCode_img</code> (seed 002's view)</p>
<p>A form checked with <code>fetch</code> (a plain form post would land the visitor on the JSON answer); in production the form posts <code>captcha_id</code> and <code>answer</code> to your backend, which makes the verify call. The designer's server panel gives this for any design.</p>
${snippet(`<form id="captcha-form">
  <img id="captcha-image" alt="captcha">
  <input type="hidden" name="captcha_id">
  <label>Characters in the image <input name="answer" autocomplete="off" required></label>
  <button type="submit">Verify</button>
  <output id="captcha-result" aria-live="polite"></output>
</form>
<script>
  (function () {
    var form = document.getElementById('captcha-form');
    async function fresh() {
      var c = await (await fetch('${origin}/api/captcha', { method: 'POST' })).json();
      document.getElementById('captcha-image').src = c.image;   // {id, image, expiresAt}
      form.elements.captcha_id.value = c.id;
    }
    form.addEventListener('submit', async function (e) {
      e.preventDefault();
      var v = await fetch('${origin}/api/captcha/verify', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: form.elements.captcha_id.value, answer: form.elements.answer.value }) });
      document.getElementById('captcha-result').textContent = (await v.json()).valid ? 'Valid' : 'Invalid';
      form.elements.answer.value = '';
      await fresh();   // single use: a second try is never valid
    });
    fresh();
  })();
</script>`)}

<h2>Designs</h2>
<table>${designRows}</table>

<h2>API</h2>
<ul>
<li><code>POST /api/captcha</code> → <code>{id, image, expiresAt}</code>; <code>POST /api/captcha/verify</code> <code>{id, answer}</code> → <code>{valid}</code></li>
<li><code>GET /api/designs</code>, <code>GET /api/fonts</code>, <code>POST /api/render</code> (design JSON in, image out), <code>GET /healthz</code></li>
<li>Seed pages, unchanged: <a href="/examples/seed-000.html">seed 000</a>, <a href="/examples/seed-002.html">seed 002</a></li>
</ul>
</main>
</body></html>`;
}

let examplesDir: string | undefined;

/** The two seed documents' pages, unchanged, from examples/ (found like fonts/). */
export function examplePage(name: 'seed-000' | 'seed-002' | string): string {
  examplesDir ??= findResourceDir(import.meta.url, 'examples', 'seed-000.html');
  if (!examplesDir) throw new Error('the examples/ folder was not found next to the server code');
  return readFileSync(join(examplesDir, `${name}.html`), 'utf8');
}
