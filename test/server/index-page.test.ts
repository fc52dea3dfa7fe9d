/** The server's `/` page points a newcomer to the designer, only where there is one. */
import { describe, expect, it } from 'vitest';
import { listPresets } from '../../src-main/core/presets.ts';
import { indexPage } from '../../src-main/server/pages.ts';
import { createStudioServer } from '../../src-main/server/server.ts';
import { call } from '../support/http.ts';

const designs = listPresets().map((p) => ({ ...p, source: 'preset' }));

describe('the index page', () => {
  it('links to /studio/ when web mode is on', () => {
    const page = indexPage('http://127.0.0.1:7878', designs, { studio: true });
    expect(page).toMatch(/<a href="\/studio\/">Open the designer<\/a>/);
  });

  it('has no link to /studio/ when web mode is off (the default)', () => {
    expect(indexPage('http://127.0.0.1:7878', designs, { studio: false })).not.toContain('/studio/');
    expect(indexPage('http://127.0.0.1:7878', designs)).not.toContain('/studio/');
  });
});

describe('GET /', () => {
  it('links the designer when the server has web mode, and not when it is off', async () => {
    for (const [studio, linked] of [[true, true], [false, false]] as const) {
      const s = createStudioServer({ port: 0, studio, pool: { size: 1 } });
      try {
        const { url } = await s.start();
        const page = (await call(url, '/')).body.toString();
        expect(page.includes('href="/studio/"'), `studio ${studio}`).toBe(linked);
      } finally {
        await s.stop();
      }
    }
  });

  it('does not link it for production requests (web mode is refused to them)', async () => {
    const s = createStudioServer({ port: 0, production: true, studioToken: 't'.repeat(32), pool: { size: 1 } });
    try {
      const { url } = await s.start();
      expect((await call(url, '/')).body.toString()).not.toContain('href="/studio/"');
    } finally {
      await s.stop();
    }
  });
});
