// node examples/express/server.mjs  (PORT, CAPTCHA_STORE and CAPTCHA_SECRET from the environment)
import { createCaptchaService } from 'captcha-studio/server';
import { createApp } from './app.mjs';

const captchas = createCaptchaService({
  design: 'seed-002-captcha',
  store: process.env.CAPTCHA_STORE ?? 'memory', // or redis://127.0.0.1:6379/0, shared by every instance
  secret: process.env.CAPTCHA_SECRET, // the same on every instance; at least 32 characters
  ttl: 300,
});
const server = createApp(captchas).listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}/`);
});
process.once('SIGINT', () => server.close(() => captchas.close()));
