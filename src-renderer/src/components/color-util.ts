/** Just enough CSS colour parsing to seed the picker; anything else stays text-only. */
const hex2 = (n: number) => Math.round(Math.max(0, Math.min(255, n))).toString(16).padStart(2, '0');

export function cssColorToHex8(c: string): string | null {
  const s = c.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,4})$/.exec(s);
  if (m) return `#${[...m[1].padEnd(4, 'f')].map((x) => x + x).join('')}`;
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/.exec(s);
  if (m) return `#${m[1]}${m[2] ?? 'ff'}`;
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(s);
  if (m) {
    const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    return `#${hex2(+m[1])}${hex2(+m[2])}${hex2(+m[3])}${hex2(a * 255)}`;
  }
  if (s === 'white') return '#ffffffff';
  if (s === 'black') return '#000000ff';
  if (s === 'transparent') return '#00000000';
  return null;
}
