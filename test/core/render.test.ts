import { createCanvas } from '@napi-rs/canvas';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDesign, type DesignInput } from '../../src-main/core/design.ts';
import { fontRegistry } from '../../src-main/core/fonts.ts';
import { getPreset } from '../../src-main/core/presets.ts';
import { loadImages, renderDesign, renderImage } from '../../src-main/core/render.ts';
import { CHARSET_CHARS } from '../../src-main/core/text.ts';
import { decodePng, diffPixels, exactDiff, pixel } from '../support/png.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A plain one-glyph design on white, for text comparisons. */
function glyphDesign(value: string, fonts: string[]): DesignInput {
  return {
    width: 80,
    height: 80,
    background: [{ type: 'solid', color: '#ffffff' }],
    text: { mode: 'fixed', value, fonts, size: 48, sizeJitter: 0, rotation: 0, baselineJitter: 0, color: { mode: 'palette', palette: ['#000000'] } },
  };
}
const inkCount = (px: Uint8ClampedArray) => {
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 128) n++;
  return n;
};

describe('seed 000 replica', () => {
  const d = getPreset('seed-000-background')!;
  const img = decodePng(renderImage(d).bytes);

  it('is a transparent 1024x768 RGBA image by default', () => {
    expect([img.width, img.height]).toEqual([1024, 768]);
    expect(pixel(img, 0, 0)).toEqual([0, 0, 0, 0]);
    expect(pixel(img, 50, 400)).toEqual([0, 0, 0, 0]);
  });

  it('draws the ellipse (100, -10, 100+w, -30+w) in exactly rgba(240, 239, 239, 128)', () => {
    // Centre (612.5, 492.5), radii 512.5 x 502.5 for w = 1024.
    expect(pixel(img, 612, 492)).toEqual([240, 239, 239, 128]);
    expect(pixel(img, 102, 492)).toEqual([240, 239, 239, 128]); // just inside the left edge
    expect(pixel(img, 98, 492)).toEqual([0, 0, 0, 0]); // just outside it
    expect(pixel(img, 612, 1)).toEqual([240, 239, 239, 128]); // the top is above the image
    expect(pixel(img, 1023, 767)).toEqual([240, 239, 239, 128]);
  });

  it('follows the requested size like the seed view', () => {
    const small = decodePng(renderImage({ ...d, width: 300, height: 200 }).bytes);
    expect([small.width, small.height]).toEqual([300, 200]);
    // w = 300: centre x 250.5, radius 150.5 -> x = 99 is outside, 101 inside on the centre row.
    expect(pixel(small, 99, 130)).toEqual([0, 0, 0, 0]);
    expect(pixel(small, 101, 130)).toEqual([240, 239, 239, 128]);
  });
});

describe('seed 002 replica', () => {
  it('is 270x40 with one random background colour and five glyphs at x = i*60', () => {
    const r = renderDesign(getPreset('seed-002-captcha')!, { seed: 99 });
    expect([r.width, r.height]).toEqual([270, 40]);
    expect(r.challenge!.answer).toMatch(/^[A-Za-z0-9]{5}$/);
    const at = (x: number, y: number) => Array.from(r.pixels.subarray((y * 270 + x) * 4, (y * 270 + x) * 4 + 4));
    const bg = at(269, 0);
    expect(at(0, 39)).toEqual(bg);
    for (let i = 0; i < 5; i++) {
      let ink = 0;
      for (let y = 0; y < 40; y++) for (let x = i * 60; x < Math.min(270, i * 60 + 45); x++) if (at(x, y).join() !== bg.join()) ink++;
      expect(ink, `glyph ${i}`).toBeGreaterThan(20);
      // nothing drawn in the gap before the next glyph
      if (i < 4) for (let y = 0; y < 40; y++) expect(at(i * 60 + 55, y)).toEqual(bg);
    }
  });
});

describe('determinism and randomness', () => {
  it('renders a seed byte for byte the same, for every preset', () => {
    for (const name of ['classic-captcha', 'neon-captcha', 'handwritten-captcha', 'low-poly-background', 'bokeh-background']) {
      const d = getPreset(name)!;
      d.width = Math.min(d.width, 400);
      d.height = Math.min(d.height, 300);
      expect(sha(renderImage(d, { seed: 5 }).bytes), name).toBe(sha(renderImage(d, { seed: 5 }).bytes));
      expect(sha(renderImage(d, { seed: 5 }).bytes), name).not.toBe(sha(renderImage(d, { seed: 6 }).bytes));
    }
  });

  it('renders the same bytes in two separate processes', () => {
    const script = `import { getPreset } from './src-main/core/presets.ts'; import { renderImage } from './src-main/core/render.ts'; import { createHash } from 'node:crypto';
      process.stdout.write(createHash('sha256').update(renderImage(getPreset('neon-captcha'), { seed: 77 }).bytes).digest('hex'));`;
    const run = () => execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const a = run();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(run()).toBe(a);
    expect(sha(renderImage(getPreset('neon-captcha')!, { seed: 77 }).bytes)).toBe(a);
  });

  it('draws the answer: same seed, different text, different pixels', () => {
    const base = getPreset('classic-captcha')!;
    const a = renderDesign(parseDesign({ ...base, text: { ...base.text, mode: 'fixed', value: 'ABCDE' } }), { seed: 3 });
    const b = renderDesign(parseDesign({ ...base, text: { ...base.text, mode: 'fixed', value: 'ABCDF' } }), { seed: 3 });
    const a2 = renderDesign(parseDesign({ ...base, text: { ...base.text, mode: 'fixed', value: 'ABCDE' } }), { seed: 3 });
    expect(a.challenge!.answer).toBe('ABCDE');
    expect(exactDiff(a.pixels, a2.pixels)).toBe(0);
    expect(exactDiff(a.pixels, b.pixels)).toBeGreaterThan(30);
  });

  it('a random captcha answer is drawn from its charset and differs between unseeded renders', () => {
    const d = getPreset('classic-captcha')!;
    const answers = new Set(Array.from({ length: 20 }, () => renderDesign(d).challenge!.answer));
    expect(answers.size).toBeGreaterThan(15);
    for (const a of answers) for (const ch of a) expect(CHARSET_CHARS.unambiguous).toContain(ch);
  });

  it('math captchas show a question and expect its result', () => {
    for (let seed = 0; seed < 30; seed++) {
      const { text, answer } = renderDesign(getPreset('math-captcha')!, { seed }).challenge!;
      const m = /^(\d+)([+\-×])(\d+)=\?$/.exec(text)!;
      expect(m, text).not.toBeNull();
      const [a, b] = [Number(m[1]), Number(m[3])];
      expect(Number(answer)).toBe(m[2] === '+' ? a + b : m[2] === '-' ? a - b : a * b);
      expect(Number(answer)).toBeGreaterThanOrEqual(0);
    }
  });

  it('scale multiplies the pixel size and keeps the picture', () => {
    const d = getPreset('digits-captcha')!;
    const one = renderDesign(d, { seed: 4 });
    const two = renderDesign({ ...d, scale: 2 }, { seed: 4 });
    expect([two.width, two.height]).toEqual([one.width * 2, one.height * 2]);
    expect(two.challenge!.answer).toBe(one.challenge!.answer);
  });
});

describe('glyph fast path', () => {
  it('blitted unrotated glyphs match what Skia draws directly', () => {
    for (const name of ['seed-002-captcha', 'placeholder']) {
      const d = getPreset(name)!;
      // An invisible outline forces the canvas path for the same layout and colours.
      const viaSkia = parseDesign({ ...d, text: { ...d.text, outline: { color: 'rgba(0,0,0,0)', width: 0.25 } } });
      for (const seed of [1, 2, 3]) {
        const a = decodePng(renderImage(d, { seed }).bytes);
        const b = decodePng(renderImage(viaSkia, { seed }).bytes);
        // Skia tunes text anti-aliasing to each colour; masks are drawn in white, so
        // only edge pixels may differ, and only by part of the range.
        expect(exactDiff(a.data, b.data), `${name} seed ${seed}: pixels differing at all`).toBeLessThan(a.width * a.height * 0.05);
        let maxDelta = 0;
        for (let i = 0; i < a.data.length; i++) maxDelta = Math.max(maxDelta, Math.abs(a.data[i] - b.data[i]));
        expect(maxDelta, `${name} seed ${seed}: largest channel difference`).toBeLessThanOrEqual(64);
        expect(diffPixels(a, b), `${name} seed ${seed}: visibly different pixels`).toBeLessThanOrEqual(5);
      }
    }
  });
});

describe('fonts in rendering', () => {
  it('CJK text renders real glyphs, not tofu boxes', () => {
    const r = renderDesign(parseDesign(glyphDesign('中', ['Droid Sans Fallback'])));
    // Reference: what a font without the glyph draws (.notdef box) at the same size.
    const c = createCanvas(80, 80);
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 80, 80);
    ctx.fillStyle = '#000';
    ctx.font = '700 48px "Bebas Neue"';
    ctx.fillText('中', 16, 60);
    const tofu = ctx.getImageData(0, 0, 80, 80).data;
    expect(inkCount(r.pixels)).toBeGreaterThan(150);
    expect(exactDiff(r.pixels, tofu)).toBeGreaterThan(300);
    // 中 has a vertical stroke through its centre column.
    let centre = 0;
    for (let y = 10; y < 70; y++) if (r.pixels[(y * 80 + 40) * 4] < 128) centre++;
    expect(centre).toBeGreaterThan(25);
  });

  it('falls back to a font that has the glyph when the chosen one lacks it', () => {
    const registry = fontRegistry();
    expect(registry.coversText('Comic Neue', '中')).toBe(false);
    const fallback = renderDesign(parseDesign(glyphDesign('中', ['Comic Neue'])));
    const direct = renderDesign(parseDesign(glyphDesign('中', ['Droid Sans Fallback'])));
    expect(exactDiff(fallback.pixels, direct.pixels)).toBe(0);
  });

  it('every CJK charset character is covered by a bundled font', () => {
    const registry = fontRegistry();
    for (const ch of CHARSET_CHARS.cjk) expect(registry.faceFor('DejaVu Sans', ch.codePointAt(0)!), ch).toBeDefined();
  });

  it('an unknown font or an uncoverable character is a design error naming the field', () => {
    expect(() => renderDesign(parseDesign(glyphDesign('A', ['No Such Font'])))).toThrow(/text\.fonts\.0: font "No Such Font" is not installed/);
    expect(() => renderDesign(parseDesign(glyphDesign('\u{E000}', ['DejaVu Sans'])))).toThrow(/text\.value: character .* is in no installed font/);
  });
});

describe('formats', () => {
  it('writes JPEG and WebP that decode to the same size', async () => {
    const { loadImage } = await import('@napi-rs/canvas');
    for (const format of ['jpeg', 'webp'] as const) {
      const d = { ...getPreset('classic-captcha')!, output: { format, quality: 80, compression: 2 } };
      const img = renderImage(d, { seed: 1 });
      expect(img.mime).toBe(`image/${format}`);
      const decoded = await loadImage(img.bytes);
      expect([decoded.width, decoded.height]).toEqual([180, 60]);
    }
  });
});

describe('image layers', () => {
  /** A 2x2 PNG: red, green / blue, white. */
  const quad = (() => {
    const c = createCanvas(2, 2);
    const g = c.getContext('2d');
    for (const [x, y, col] of [[0, 0, '#ff0000'], [1, 0, '#00ff00'], [0, 1, '#0000ff'], [1, 1, '#ffffff']] as const) {
      g.fillStyle = col;
      g.fillRect(x, y, 1, 1);
    }
    return `data:image/png;base64,${c.toBuffer('image/png').toString('base64')}`;
  })();
  const render = async (layer: Record<string, unknown>, size = 6) => {
    const design = parseDesign({ width: size, height: size, background: [layer] });
    return decodePng(renderImage(design, { images: await loadImages(design) }).bytes);
  };

  it('draws the decoded image, stretched, covering or contained', async () => {
    // Skia decodes off-thread: an image drawn before its decode finished came out blank.
    const stretched = await render({ type: 'image', src: quad, fit: 'stretch' }, 4);
    expect([pixel(stretched, 0, 0), pixel(stretched, 3, 0), pixel(stretched, 0, 3), pixel(stretched, 3, 3)]).toEqual([
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 255],
      [255, 255, 255, 255],
    ]);
    const contained = await render({ type: 'image', src: quad, fit: 'contain' }, 4);
    expect(pixel(contained, 0, 0)).toEqual([255, 0, 0, 255]);
  });

  it('tiles an image by repeating its pixels, every time it is drawn', async () => {
    for (let round = 0; round < 2; round++) {
      const img = await render({ type: 'image', src: quad, fit: 'tile' });
      for (const [x, y] of [[0, 0], [2, 0], [4, 2], [1, 1], [3, 5]])
        expect(pixel(img, x, y)).toEqual(pixel(img, x % 2, y % 2));
      expect(pixel(img, 0, 0)).toEqual([255, 0, 0, 255]);
      expect(pixel(img, 3, 3)).toEqual([255, 255, 255, 255]);
    }
  });

  it('refuses an image declaring more pixels than the area limit, before decoding it', async () => {
    // 60000x60000 1-bit grey in ~440 KB of PNG: a decompression bomb.
    const side = 60000;
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(side, 0);
    ihdr.writeUInt32BE(side, 4);
    ihdr[8] = 1;
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type), data]);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(body) >>> 0);
      return Buffer.concat([len, body, crc]);
    };
    const raw = zlib.deflateSync(Buffer.alloc((side / 8 + 1) * side), { level: 9 });
    const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', raw), chunk('IEND', Buffer.alloc(0))]);
    for (const fit of ['tile', 'cover'])
      await expect(render({ type: 'image', src: `data:image/png;base64,${png.toString('base64')}`, fit })).rejects.toThrow(/background\.0\.src: is 60000x60000 pixels; images may have at most 33,177,600/);
  });

  it.each(['\\\\attacker\\share\\x.png', '//attacker/share/x.png', 'file:///etc/passwd', 'https://example.com/x.png', 'smb://host/x.png'])('never reads a network path or URL: %s', async (src) => {
    await expect(render({ type: 'image', src })).rejects.toThrow(/background\.0\.src: must be a local file path or a data URL/);
  });
});
