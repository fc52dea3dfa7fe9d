// The Express example's sign-up form in Fastify: a fresh captcha as a data URL with its
// id in a hidden field; POST /signup verifies the answer once.
import Fastify from 'fastify';
import { toDataUrl } from 'captcha-studio/server';

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
  const app = Fastify({ bodyLimit: 4096 });
  // HTML forms post urlencoded bodies; Fastify parses only JSON by itself.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body)));
  });

  app.get('/', async (_req, reply) => reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(await formPage(captchas)));

  app.post('/signup', async (req, reply) => {
    const { captchaId, answer } = req.body ?? {};
    // Single use: this id is spent now, right or wrong; a retry gets a new captcha.
    if (await captchas.verify(captchaId, answer)) {
      return reply.type('text/html; charset=utf-8').send('<!doctype html><title>Welcome</title><p>Captcha passed: you are signed up.</p>');
    }
    return reply.code(400).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(await formPage(captchas, 'That was not the text in the image (or it expired). Try this one.'));
  });

  // The store could not answer (Redis down): refuse, never let the form through.
  app.setErrorHandler((err, _req, reply) => {
    const busy = err?.name === 'StoreUnavailableError';
    if (!busy && err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).type('text/plain').send(err.message);
    return reply.code(busy ? 503 : 500).type('text/plain').send(busy ? 'Captchas are unavailable right now; try again shortly.' : 'Something went wrong.');
  });
  return app;
}
