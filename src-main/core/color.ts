/** Colours: parsing the forms design files accept, random colours, and WCAG contrast maths. */
import type { Rng } from './random.ts';

export type RGBA = readonly [r: number, g: number, b: number, a: number]; // 0..255 each

/** CSS's named colours (CSS Color 4), as name:rrggbb. */
const NAMED_HEX =
  'aliceblue:f0f8ff antiquewhite:faebd7 aqua:00ffff aquamarine:7fffd4 azure:f0ffff beige:f5f5dc ' +
  'bisque:ffe4c4 black:000000 blanchedalmond:ffebcd blue:0000ff blueviolet:8a2be2 brown:a52a2a ' +
  'burlywood:deb887 cadetblue:5f9ea0 chartreuse:7fff00 chocolate:d2691e coral:ff7f50 ' +
  'cornflowerblue:6495ed cornsilk:fff8dc crimson:dc143c cyan:00ffff darkblue:00008b darkcyan:008b8b ' +
  'darkgoldenrod:b8860b darkgray:a9a9a9 darkgreen:006400 darkgrey:a9a9a9 darkkhaki:bdb76b ' +
  'darkmagenta:8b008b darkolivegreen:556b2f darkorange:ff8c00 darkorchid:9932cc darkred:8b0000 ' +
  'darksalmon:e9967a darkseagreen:8fbc8f darkslateblue:483d8b darkslategray:2f4f4f ' +
  'darkslategrey:2f4f4f darkturquoise:00ced1 darkviolet:9400d3 deeppink:ff1493 deepskyblue:00bfff ' +
  'dimgray:696969 dimgrey:696969 dodgerblue:1e90ff firebrick:b22222 floralwhite:fffaf0 ' +
  'forestgreen:228b22 fuchsia:ff00ff gainsboro:dcdcdc ghostwhite:f8f8ff gold:ffd700 goldenrod:daa520 ' +
  'gray:808080 green:008000 greenyellow:adff2f grey:808080 honeydew:f0fff0 hotpink:ff69b4 ' +
  'indianred:cd5c5c indigo:4b0082 ivory:fffff0 khaki:f0e68c lavender:e6e6fa lavenderblush:fff0f5 ' +
  'lawngreen:7cfc00 lemonchiffon:fffacd lightblue:add8e6 lightcoral:f08080 lightcyan:e0ffff ' +
  'lightgoldenrodyellow:fafad2 lightgray:d3d3d3 lightgreen:90ee90 lightgrey:d3d3d3 lightpink:ffb6c1 ' +
  'lightsalmon:ffa07a lightseagreen:20b2aa lightskyblue:87cefa lightslategray:778899 ' +
  'lightslategrey:778899 lightsteelblue:b0c4de lightyellow:ffffe0 lime:00ff00 limegreen:32cd32 ' +
  'linen:faf0e6 magenta:ff00ff maroon:800000 mediumaquamarine:66cdaa mediumblue:0000cd ' +
  'mediumorchid:ba55d3 mediumpurple:9370db mediumseagreen:3cb371 mediumslateblue:7b68ee ' +
  'mediumspringgreen:00fa9a mediumturquoise:48d1cc mediumvioletred:c71585 midnightblue:191970 ' +
  'mintcream:f5fffa mistyrose:ffe4e1 moccasin:ffe4b5 navajowhite:ffdead navy:000080 oldlace:fdf5e6 ' +
  'olive:808000 olivedrab:6b8e23 orange:ffa500 orangered:ff4500 orchid:da70d6 palegoldenrod:eee8aa ' +
  'palegreen:98fb98 paleturquoise:afeeee palevioletred:db7093 papayawhip:ffefd5 peachpuff:ffdab9 ' +
  'peru:cd853f pink:ffc0cb plum:dda0dd powderblue:b0e0e6 purple:800080 rebeccapurple:663399 red:ff0000 ' +
  'rosybrown:bc8f8f royalblue:4169e1 saddlebrown:8b4513 salmon:fa8072 sandybrown:f4a460 ' +
  'seagreen:2e8b57 seashell:fff5ee sienna:a0522d silver:c0c0c0 skyblue:87ceeb slateblue:6a5acd ' +
  'slategray:708090 slategrey:708090 snow:fffafa springgreen:00ff7f steelblue:4682b4 tan:d2b48c ' +
  'teal:008080 thistle:d8bfd8 tomato:ff6347 turquoise:40e0d0 violet:ee82ee wheat:f5deb3 white:ffffff ' +
  'whitesmoke:f5f5f5 yellow:ffff00 yellowgreen:9acd32';

const NAMED = new Map<string, RGBA>([
  ['transparent', [0, 0, 0, 0]],
  ...NAMED_HEX.split(' ').map((e): [string, RGBA] => {
    const [name, hex] = e.split(':');
    return [name, [parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2, 4), 16), parseInt(hex.slice(4, 6), 16), 255]];
  }),
]);

export const COLOR_RULE =
  'must be a colour: #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(r, g, b), rgba(r, g, b, a), hsl(h, s%, l%), hsla(h, s%, l%, a) with a in 0..1 or a percentage, or a CSS colour name';

/** A CSS alpha: a number 0..1 or a percentage; NaN when it is neither. */
function alphaOf(text: string | undefined): number {
  if (text === undefined) return 255;
  const a = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  return a >= 0 && a <= 1 ? Math.round(a * 255) : NaN;
}

/** The arguments of rgb()/hsl() in either CSS syntax: "1, 2, 3, 0.5" or "1 2 3 / 50%". */
function argsOf(inner: string): string[] | null {
  const parts = inner.split(/\s*,\s*|\s*\/\s*|\s+/).filter(Boolean);
  return parts.length === 3 || parts.length === 4 ? parts : null;
}

const HUE_UNITS: Record<string, number> = { '': 1, deg: 1, rad: 180 / Math.PI, grad: 0.9, turn: 360 };

/** A percentage "40%" (or, as CSS Color 4 allows, a bare number) as 0..1; NaN outside 0..100. */
function percent(text: string): number {
  const v = Number(text.endsWith('%') ? text.slice(0, -1) : text);
  return v >= 0 && v <= 100 ? v / 100 : NaN;
}

function hslToRgb(hDeg: number, s: number, l: number): [number, number, number] {
  const h = (((hDeg % 360) + 360) % 360) / 30;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function parseHsl(inner: string): RGBA | null {
  const parts = argsOf(inner);
  if (!parts) return null;
  const hue = /^([-+]?(?:\d+\.?\d*|\.\d+))(deg|rad|grad|turn)?$/.exec(parts[0]);
  if (!hue) return null;
  const s = percent(parts[1]);
  const l = percent(parts[2]);
  const a = alphaOf(parts[3]);
  if ([s, l, a].some(Number.isNaN)) return null;
  return [...hslToRgb(Number(hue[1]) * HUE_UNITS[hue[2] ?? ''], s, l), a];
}

/** Returns the colour, or null when the text is not one of the accepted forms. */
export function parseColor(text: string): RGBA | null {
  const s = text.trim().toLowerCase();
  // Own keys only: "constructor" or "__proto__" must not reach Object.prototype.
  const named = NAMED.get(s);
  if (named) return named;
  if (s.startsWith('#')) {
    const hex = s.slice(1);
    if (!/^[0-9a-f]+$/.test(hex)) return null;
    if (hex.length === 3 || hex.length === 4) {
      const v = [...hex].map((c) => parseInt(c + c, 16));
      return [v[0], v[1], v[2], v[3] ?? 255];
    }
    if (hex.length === 6 || hex.length === 8) {
      const v = [0, 2, 4, 6].map((i) => (i < hex.length ? parseInt(hex.slice(i, i + 2), 16) : 255));
      return [v[0], v[1], v[2], v[3]];
    }
    return null;
  }
  const hsl = /^hsla?\(\s*([^)]*)\)$/.exec(s);
  if (hsl) return parseHsl(hsl[1]);
  const m = /^rgba?\(\s*([^)]*)\)$/.exec(s);
  if (!m) return null;
  const parts = argsOf(m[1]);
  if (!parts) return null;
  const rgb = parts.slice(0, 3).map(Number);
  if (rgb.some((v) => !Number.isFinite(v) || v < 0 || v > 255)) return null;
  const a = alphaOf(parts[3]);
  if (Number.isNaN(a)) return null;
  return [Math.round(rgb[0]), Math.round(rgb[1]), Math.round(rgb[2]), a];
}

export function isColor(text: string): boolean {
  return parseColor(text) !== null;
}

/** Parses a colour already accepted by the schema. */
export function color(text: string): RGBA {
  const c = parseColor(text);
  if (!c) throw new Error(`not a colour: ${text}`);
  return c;
}

/** CSS form Skia understands, exact to the byte for the alpha channel. */
export function cssColor([r, g, b, a]: RGBA): string {
  return a === 255 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${+(a / 255).toFixed(4)})`;
}

/** An opaque colour with each channel uniform in [min, max]. */
export function randomRgb(rng: Rng, min = 0, max = 255): RGBA {
  return [rng.int(min, max), rng.int(min, max), rng.int(min, max), 255];
}

function channel(v: number): number {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of an opaque colour. */
export function luminance(r: number, g: number, b: number): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG contrast ratio, 1..21. */
export function contrastRatio(a: readonly number[], b: readonly number[]): number {
  const la = luminance(a[0], a[1], a[2]);
  const lb = luminance(b[0], b[1], b[2]);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
