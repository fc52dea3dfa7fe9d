import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DesignError, safeParseDesign } from '../../src-main/core/design.ts';
import { ExprError, parseExpr } from '../../src-main/core/expr.ts';
import { FontRegistry } from '../../src-main/core/fonts.ts';
import { ImageHeaderError, sniffImage } from '../../src-main/core/image-header.ts';
import { InputError } from '../../src-main/core/input-error.ts';
import { FontParseError, parseFont } from '../../src-main/core/sfnt.ts';

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
};

describe('bad input is one error type', () => {
  it('a refused design is an InputError naming its first issue, with every issue kept', () => {
    const r = safeParseDesign({ width: 0, background: [{ type: 'solid', color: 'nope' }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const e = r.error;
    expect(e).toBeInstanceOf(InputError);
    expect(e).toBeInstanceOf(DesignError);
    expect(e.kind).toBe('invalid');
    expect(e.issues.length).toBe(2);
    expect([e.field, e.rule]).toEqual([e.issues[0].field, e.issues[0].rule]);
    expect(e.message).toBe(`${e.field}: ${e.rule}`);
  });

  it('an issue about the whole document is named "design"', () => {
    const e = new DesignError([{ field: '', rule: 'must be an object' }]);
    expect([e.field, e.rule, e.message]).toEqual(['design', 'must be an object', 'design: must be an object']);
  });

  it('parsers that do not know the field throw InputErrors whose message is the rule alone', () => {
    const img = thrown(() => sniffImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')));
    expect(img).toBeInstanceOf(ImageHeaderError);
    expect(img).toBeInstanceOf(InputError);
    expect(img.message).toBe('must be a PNG, JPEG, WebP or GIF image; SVG is not accepted');
    expect((img as InputError).rule).toBe(img.message);

    const expr = thrown(() => parseExpr('w+q', ['w', 'h']));
    expect(expr).toBeInstanceOf(ExprError);
    expect(expr).toBeInstanceOf(InputError);
    expect(expr.message).toBe('unknown name "q" (allowed: w, h)');

    const font = thrown(() => parseFont(Buffer.from('not a font at all')));
    expect(font).toBeInstanceOf(FontParseError);
    expect(font).toBeInstanceOf(InputError);
    expect(font.message).toBe('not a TrueType or OpenType font');
  });

  it('a font file that cannot be added is named by its path', () => {
    const path = join(tmpdir(), 'no-such-font-here.ttf');
    const e = thrown(() => new FontRegistry().addFile(path)) as FontParseError;
    expect(e).toBeInstanceOf(InputError);
    expect([e.field, e.rule, e.message]).toEqual([path, 'file not found', `${path}: file not found`]);
  });
});
