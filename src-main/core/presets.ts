/** Built-in presets: design files shipped in ./presets, validated by the same schema as user files. */
import { parseDesign, type Design } from './design.ts';
import { designKind } from './naming.ts';
import p_bokehBackground from './presets/bokeh-background.json';
import p_cjkCaptcha from './presets/cjk-captcha.json';
import p_classicCaptcha from './presets/classic-captcha.json';
import p_digitsCaptcha from './presets/digits-captcha.json';
import p_handwrittenCaptcha from './presets/handwritten-captcha.json';
import p_lowPolyBackground from './presets/low-poly-background.json';
import p_mathCaptcha from './presets/math-captcha.json';
import p_neonCaptcha from './presets/neon-captcha.json';
import p_placeholder from './presets/placeholder.json';
import p_seed000Background from './presets/seed-000-background.json';
import p_seed002Captcha from './presets/seed-002-captcha.json';
import p_sunsetBackground from './presets/sunset-background.json';

const RAW: readonly unknown[] = [
  p_bokehBackground,
  p_cjkCaptcha,
  p_classicCaptcha,
  p_digitsCaptcha,
  p_handwrittenCaptcha,
  p_lowPolyBackground,
  p_mathCaptcha,
  p_neonCaptcha,
  p_placeholder,
  p_seed000Background,
  p_seed002Captcha,
  p_sunsetBackground,
];

/** Every preset, parsed once: a fixed set shipped with the code, so it needs no bound. */
let cache: Map<string, Design> | undefined;

function presets(): Map<string, Design> {
  if (!cache) {
    cache = new Map();
    for (const raw of RAW) {
      const d = parseDesign(raw); // a broken preset is a bug: fail loudly in tests
      cache.set(d.name, d);
    }
  }
  return cache;
}

export interface PresetSummary {
  name: string;
  description: string;
  width: number;
  height: number;
  kind: 'captcha' | 'background';
}

export function listPresets(): PresetSummary[] {
  return [...presets().values()].map((d) => ({
    name: d.name,
    description: d.description ?? '',
    width: d.width,
    height: d.height,
    kind: designKind(d),
  }));
}

/** A deep copy, so callers may override fields freely. */
export function getPreset(name: string): Design | undefined {
  const d = presets().get(name);
  return d ? structuredClone(d) : undefined;
}

export function hasPreset(name: string): boolean {
  return presets().has(name);
}

export function presetNames(): string[] {
  return [...presets().keys()];
}
