/** The server's `/` page points a newcomer to the designer, only where there is one. */
import { describe, expect, it } from 'vitest';
import { listPresets } from '../../src-main/core/presets.ts';
import { indexPage } from '../../src-main/server/pages.ts';

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
