/**
 * The server panel's copyable snippets. They are built only from what the server
 * published, which it validated: an invalid value typed in the inspector never
 * reaches them (the panel keeps the last valid design's snippets meanwhile).
 * Each one is meant to work where a developer pastes it: the background script in
 * <head> or <body>, the form anywhere in <body>, the backend check on a server.
 */
import type { PublishedDesign } from '../../../src-main/api.ts';

export interface Snippet {
  /** Stable key, e.g. "form". */
  id: string;
  /** Shown above the snippet. */
  label: string;
  /** What the Copy button copies, for its accessible name: "Copy <what>". Unique within the panel. */
  what: string;
  text: string;
  /** Where it goes or what it needs, in a sentence. */
  note?: string;
}

/** A value inside a double-quoted HTML attribute. */
const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
/** A JavaScript string literal that is also safe inside <script>. */
const jsString = (s: string) => JSON.stringify(s).replace(/</g, '\\u003c');

/** The server's size limits, so a window of any size asks for an image the server draws. */
const MAX_SIDE = 8192;

export function snippets(origin: string, published: PublishedDesign): Snippet[] {
  const src = `${origin}${published.path}`;
  const size = `width="${published.width}" height="${published.height}"`;
  const url: Snippet = { id: 'url', label: 'URL', what: 'URL', text: src };
  if (published.captcha) {
    return [
      { ...url, note: 'Each request issues a fresh captcha; its id comes back in a cookie and the X-Captcha-Id header.' },
      {
        id: 'img',
        label: '<img> tag',
        what: 'image tag',
        // The audio form speaks the captcha this image issued (by its cookie): a non-visual alternative (WCAG 1.1.1).
        text: `<img src="${attr(src)}" ${size} alt="captcha">\n<a href="${attr(`${origin}/captcha.wav`)}">Listen to the captcha</a>`,
      },
      {
        id: 'form',
        label: 'Form, checked with fetch',
        what: 'form',
        note: 'Paste into <body>. It shows whether the answer was valid; in production the form posts captcha_id and answer to your backend, which does the check below. From a page on another origin, start the server with --cors <that origin>.',
        text: captchaForm(origin, published),
      },
      {
        id: 'backend',
        label: "Your backend's check",
        what: 'backend check',
        note: 'Node 18+ (any language works: one JSON POST). Each id can be checked once.',
        text: backendCheck(origin),
      },
    ];
  }
  const sep = published.path.includes('?') ? '&' : '?';
  return [
    url,
    { id: 'img', label: '<img> tag', what: 'image tag', text: `<img src="${attr(src)}" ${size} alt="${attr(published.name)}">` },
    {
      id: 'background',
      label: 'Window-sized page background (seed 000 style)',
      what: 'background script',
      note: 'Works in <head> or <body>: it waits for the page body when there is none yet.',
      text: `<script>
  (function () {
    function paint() {
      var w = Math.min(${MAX_SIDE}, Math.max(1, innerWidth)), h = Math.min(${MAX_SIDE}, Math.max(1, innerHeight));
      var s = document.body.style;
      s.backgroundImage = 'url("' + ${jsString(`${src}${sep}`)} + 'width=' + w + '&height=' + h + '")';
      s.backgroundAttachment = 'fixed';
      s.backgroundPosition = 'right center';
      s.backgroundRepeat = 'no-repeat';
    }
    if (document.body) paint();
    else document.addEventListener('DOMContentLoaded', paint);
  })();
</script>`,
    },
  ];
}

function captchaForm(origin: string, published: PublishedDesign): string {
  // A signed issuing path when the server gave one (the published design, not the server's default).
  const issue = published.issuePath ?? '/api/captcha';
  return `<form id="captcha-form">
  <img id="captcha-image" width="${published.width}" height="${published.height}" alt="captcha">
  <audio id="captcha-audio" controls preload="none" aria-label="Listen to the captcha"></audio>
  <input type="hidden" name="captcha_id">
  <label>Characters in the image or audio <input name="answer" autocomplete="off" required></label>
  <button type="submit">Verify</button>
  <output id="captcha-result" aria-live="polite"></output>
</form>
<script>
  (function () {
    var server = ${jsString(origin)};
    var form = document.getElementById('captcha-form');
    var result = document.getElementById('captcha-result');
    // A fresh captcha as JSON: {id, image (a data URL), expiresAt, width, height}; its audio is /captcha.wav?id= (played a few times at most).
    async function fresh() {
      var c = await (await fetch(server + ${jsString(issue)}, { method: 'POST' })).json();
      document.getElementById('captcha-image').src = c.image;
      form.elements.captcha_id.value = c.id;
      document.getElementById('captcha-audio').src = server + '/captcha.wav?id=' + encodeURIComponent(c.id);
    }
    form.addEventListener('submit', async function (e) {
      e.preventDefault();
      var r = await fetch(server + '/api/captcha/verify', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: form.elements.captcha_id.value, answer: form.elements.answer.value }),
      });
      var valid = (await r.json()).valid;
      result.textContent = valid ? 'Valid' : 'Invalid: try the new image';
      form.elements.answer.value = '';
      await fresh(); // an id is checked once, right or wrong
    });
    fresh();
  })();
</script>`;
}

function backendCheck(origin: string): string {
  return `// When the form reaches your server (captcha_id and answer are its fields):
const r = await fetch(${jsString(`${origin}/api/captcha/verify`)}, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ id: body.captcha_id, answer: body.answer }),
});
const { valid } = await r.json(); // false for a wrong, expired, reused or forged id
if (!valid) {
  // refuse the form and show a new captcha
}`;
}
