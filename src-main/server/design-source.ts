/** Where named designs come from: a folder of saved design files, then the built-in presets. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { join } from 'node:path';
import type { PublishedDesign } from '../api.ts';
import { canonicalDesign, type Design } from '../core/design.ts';
import { getPreset, hasPreset, listPresets, type PresetSummary } from '../core/presets.ts';
import { DesignFileError, readDesignFile } from '../files/design-files.ts';
import { InputError } from '../core/input-error.ts';
import { designKind, EXTENSION, isCaptcha } from '../core/naming.ts';

/** Names are plain words: no dots or slashes, so no path can escape the folder. */
export const DESIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Designs the studio published for its snippets, at most this many (the least recently used dropped). */
export const MAX_PUBLISHED = 64;

/** A design version as URLs carry it (`?v=`): 12 hex digits. */
export const DESIGN_VERSION = /^[0-9a-f]{12}$/;

/**
 * 12 hex digits of the SHA-256 of the canonical design. 48 bits: a URL pins one
 * design's content, and two versions of one name colliding is out of reach.
 */
export function designVersion(design: Design): string {
  return createHash('sha256').update(canonicalDesign(design)).digest('hex').slice(0, 12);
}

/** Where a named design comes from: the studio's published ones (memory), the --designs folder, the presets. */
export type DesignOrigin = PublishedDesign['stored'];

interface Entry {
  design: Design;
  version: string;
}

export class DesignSource {
  /** Parsed saved designs by name; unbounded on purpose: one entry per file in the folder, which the operator controls. */
  private readonly cache = new Map<string, Entry & { mtimeMs: number }>();
  private readonly published = new LRUCache<string, Entry>({ max: MAX_PUBLISHED });
  /** Presets never change while the server runs. */
  private readonly presetVersions = new Map<string, string>();
  /**
   * Signs a path with the serving server's secret: an issuing route takes
   * `design=` only in a signed URL, so the studio's captcha snippets carry one.
   */
  signer: (pathAndQuery: string) => string = (p) => p;

  constructor(readonly dir?: string) {}

  /** The design called `name`; 404 when there is none, 400 for a bad name or a broken file. */
  get(name: string, field = 'design'): Design {
    return this.lookup(name, field).design;
  }

  /** The design called `name` with its version and where it comes from (errors as `get`). */
  lookup(name: string, field = 'design'): Entry & { stored: DesignOrigin } {
    if (!DESIGN_NAME.test(name)) throw new InputError(field, 'must be a design name (letters, digits, - and _)');
    const live = this.published.get(name);
    if (live) return { ...live, stored: 'memory' };
    const saved = this.saved(name, field);
    if (saved) return { design: structuredClone(saved.design), version: saved.version, stored: 'saved' };
    const preset = getPreset(name);
    if (!preset) throw new InputError(field, `no design called "${name}"`, { kind: 'not-found' });
    return { design: preset, version: this.presetVersion(name)!, stored: 'preset' };
  }

  /** The current version of the design called `name` (errors as `get`). */
  versionOf(name: string, field = 'design'): string {
    return this.lookup(name, field).version;
  }

  /** The saved design `DIR/name.json`, parsed once per modification; undefined when there is no such file. */
  private saved(name: string, field: string): (Entry & { mtimeMs: number }) | undefined {
    if (!this.dir) return undefined;
    const file = join(this.dir, `${name}.json`);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return undefined; // not saved here: the caller falls through to the presets
    }
    const hit = this.cache.get(name);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    try {
      const design = readDesignFile(file);
      const entry = { mtimeMs, design, version: designVersion(design) };
      this.cache.set(name, entry);
      return entry;
    } catch (e) {
      if (e instanceof DesignFileError) throw new InputError(field, `saved design "${name}" is invalid: ${e.designField ? `${e.designField}: ` : ''}${e.problem}`);
      throw e;
    }
  }

  /**
   * Makes a design from the studio reachable by name, for the snippets. An
   * unchanged preset keeps its own name, and a design identical to a file in the
   * --designs folder is served from that file; anything else lives in this
   * server's memory (until it stops, at most MAX_PUBLISHED designs), and an
   * edited preset never shadows the preset. /designs/ paths carry the version,
   * so an edit makes a new URL and browsers may keep each one for good.
   */
  publish(design: Design): PublishedDesign {
    let name = design.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+/, '').slice(0, 56) || 'untitled';
    const version = designVersion(design);
    const captcha = isCaptcha(design);
    const info = { version, width: design.width, height: design.height, captcha, seed: design.seed ?? null };
    const answer = (stored: DesignOrigin, added = false): PublishedDesign => ({
      ...info,
      name,
      stored,
      added,
      path: captcha ? this.signer(`/captcha.png?design=${name}`) : `/designs/${name}.${EXTENSION[design.output.format]}?v=${version}`,
      issuePath: captcha ? this.signer(`/api/captcha?design=${name}`) : null,
    });
    let saved: Entry | undefined;
    try {
      saved = this.saved(name, 'design');
    } catch {
      /* a broken file of that name is reported when requested; this design is not it */
    }
    if (saved?.version === version) {
      this.published.delete(name); // an older edit must not shadow the file it was saved as
      return answer('saved');
    }
    if (!saved && this.presetVersion(name) === version) {
      this.published.delete(name);
      return answer('preset');
    }
    if (hasPreset(name)) name = `${name}-edited`;
    const added = this.published.get(name)?.version !== version;
    this.published.set(name, { design, version });
    return answer('memory', added);
  }

  private presetVersion(name: string): string | undefined {
    let version = this.presetVersions.get(name);
    if (version === undefined) {
      const preset = getPreset(name);
      if (!preset) return undefined;
      this.presetVersions.set(name, (version = designVersion(preset)));
    }
    return version;
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
