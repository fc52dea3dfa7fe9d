/** Where named designs come from: a folder of saved design files, then the built-in presets. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { join } from 'node:path';
import { canonicalDesign, type Design } from '../core/design.ts';
import { getPreset, hasPreset, listPresets, type PresetSummary } from '../core/presets.ts';
import { DesignFileError, readDesignFile } from '../files/design-files.ts';
import { InputError } from '../core/input-error.ts';
import { designKind, EXTENSION, isCaptcha } from '../core/naming.ts';

/** Names are plain words: no dots or slashes, so no path can escape the folder. */
export const DESIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Designs the studio published for its snippets, at most this many (the least recently used dropped). */
const MAX_PUBLISHED = 64;

export class DesignSource {
  /** Parsed saved designs by name; unbounded on purpose: one entry per file in the folder, which the operator controls. */
  private readonly cache = new Map<string, { mtimeMs: number; design: Design }>();
  private readonly published = new LRUCache<string, Design>({ max: MAX_PUBLISHED });
  /**
   * Signs a path with the serving server's secret: an issuing route takes
   * `design=` only in a signed URL, so the studio's captcha snippets carry one.
   */
  signer: (pathAndQuery: string) => string = (p) => p;

  constructor(readonly dir?: string) {}

  /** The design called `name`; 404 when there is none, 400 for a bad name or a broken file. */
  get(name: string, field = 'design'): Design {
    if (!DESIGN_NAME.test(name)) throw new InputError(field, 'must be a design name (letters, digits, - and _)');
    const live = this.published.get(name);
    if (live) return live;
    if (this.dir) {
      const file = join(this.dir, `${name}.json`);
      let mtimeMs: number | undefined;
      try {
        mtimeMs = statSync(file).mtimeMs;
      } catch {
        /* not saved here: fall through to the presets */
      }
      if (mtimeMs !== undefined) {
        const hit = this.cache.get(name);
        if (hit && hit.mtimeMs === mtimeMs) return structuredClone(hit.design);
        try {
          const design = readDesignFile(file);
          this.cache.set(name, { mtimeMs, design });
          return structuredClone(design);
        } catch (e) {
          if (e instanceof DesignFileError) throw new InputError(field, `saved design "${name}" is invalid: ${e.designField ? `${e.designField}: ` : ''}${e.problem}`);
          throw e;
        }
      }
    }
    const preset = getPreset(name);
    if (!preset) throw new InputError(field, `no design called "${name}"`, { kind: 'not-found' });
    return preset;
  }

  /**
   * Makes a design from the studio reachable by name, for the snippets. An
   * unchanged preset keeps its own name; an edited one never shadows a preset.
   */
  publish(design: Design): { name: string; path: string } {
    let name = design.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+/, '').slice(0, 56) || 'untitled';
    const preset = getPreset(name);
    const pathFor = (n: string) => (isCaptcha(design) ? this.signer(`/captcha.png?design=${n}`) : `/designs/${n}.${EXTENSION[design.output.format]}`);
    if (preset && canonicalDesign(preset) === canonicalDesign(design)) return { name, path: pathFor(name) };
    if (hasPreset(name)) name = `${name}-edited`;
    this.published.set(name, design);
    return { name, path: pathFor(name) };
  }

  /** True when `name` resolves to a built-in preset (no saved design shadows it). */
  isPreset(name: string): boolean {
    if (!DESIGN_NAME.test(name) || !hasPreset(name) || this.published.has(name)) return false;
    return !this.dir || !existsSync(join(this.dir, `${name}.json`));
  }

  list(): (PresetSummary & { source: 'preset' | 'saved' })[] {
    const out: (PresetSummary & { source: 'preset' | 'saved' })[] = listPresets().map((p) => ({ ...p, source: 'preset' }));
    if (!this.dir) return out;
    let files: string[];
    try {
      files = readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch {
      return out;
    }
    for (const f of files) {
      const name = f.slice(0, -5);
      if (!DESIGN_NAME.test(name)) continue;
      try {
        const d = this.get(name);
        const entry = { name, description: d.description ?? '', width: d.width, height: d.height, kind: designKind(d), source: 'saved' as const };
        const i = out.findIndex((p) => p.name === name);
        if (i >= 0) out[i] = entry; // a saved design shadows the preset of the same name
        else out.push(entry);
      } catch {
        /* broken files are reported when requested, not listed */
      }
    }
    return out;
  }
}
