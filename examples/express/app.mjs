// A sign-up form guarded by a captcha, in Express: the page shows a fresh captcha as a
// data URL with its id in a hidden field; POST /signup verifies the answer once.
// The captcha service is passed in, so the same app runs with a memory or Redis store.
import express from 'express';
import { toDataUrl } from 'captcha-studio/server';

/** The form with a fresh captcha; `message` says why it is shown again. */
async function formPage(captchas, message = '') {
  const captcha = await captchas.issue();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign up</title></head>
<body>
<main>
<h1>Sign up</h1>
${message ? `<p role="alert">${message}</p>` : ''}
<form method="post" action="/signup">
  <img src="${toDataUrl(captcha)}" width="${captcha.width}" height="${captcha.height}" alt="Captcha: type the characters shown">
  <input type="hidden" name="captchaId" value="${captcha.id}">
  <label>Characters in the image <input name="answer" autocomplete="off" required></label>
  <button type="submit">Sign up</button>
</form>
</main>
</body></html>`;
}

/** @param {import('captcha-studio/server').CaptchaService} captchas */
export function createApp(captchas) {
  const app = express();
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  app.get('/', async (_req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(await formPage(captchas));
  });

  app.post('/signup', async (req, res) => {
    const { captchaId, answer } = req.body ?? {};
    // Single use: this id is spent now, right or wrong; a retry gets a new captcha.
    if (await captchas.verify(captchaId, answer)) {
      res.type('html').send('<!doctype html><title>Welcome</title><p>Captcha passed: you are signed up.</p>');
      return;
    }
    res.status(400).set('Cache-Control', 'no-store').type('html').send(await formPage(captchas, 'That was not the text in the image (or it expired). Try this one.'));
  });

  // The store could not answer (Redis down): refuse, never let the form through.
  app.use((err, _req, res, _next) => {
    const busy = err?.name === 'StoreUnavailableError';
    res.status(busy ? 503 : 500).type('text').send(busy ? 'Captchas are unavailable right now; try again shortly.' : 'Something went wrong.');
  });
  return app;
}
