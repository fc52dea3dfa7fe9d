/**
 * Settings and the recent-files list in userData/settings.json. Written
 * atomically; a corrupt or newer file is reported once, left untouched (never
 * overwritten), and the app runs on defaults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SERVER_PORT } from '../api.ts';
import { writeFileAtomic } from '../files/design-files.ts';
import { InputError } from '../core/input-error.ts';
import { MEMORY_STORE, parseStoreSpec } from '../server/store-spec.ts';

const SETTINGS_VERSION = 1;
export const MAX_RECENT = 10;

const bounds = z.strictObject({ x: z.number().int(), y: z.number().int(), width: z.number().int().min(400).max(20_000), height: z.number().int().min(300).max(20_000), maximized: z.boolean().default(false) });
const recent = z.strictObject({ path: z.string().min(1).max(4096), name: z.string().max(100), width: z.number().int(), height: z.number().int(), openedAt: z.number() });

const settingsSchema = z.strictObject({
  version: z.number().int().max(SETTINGS_VERSION, `was written by a newer Captcha Studio; this one reads version ${SETTINGS_VERSION}`).default(SETTINGS_VERSION),
  port: z.number().int().min(0).max(65_535).default(DEFAULT_SERVER_PORT),
  /** Start the image server with the app. */
  serverOnStart: z.boolean().default(true),
  /** Where the image server keeps used captcha ids: `memory` or `redis://HOST:PORT/DB` (store-spec.ts). */
  store: z
    .string()
    .default(MEMORY_STORE)
    .superRefine((value, ctx) => {
      try {
        parseStoreSpec(value);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        ctx.addIssue({ code: 'custom', message: e.rule });
      }
    }),
  window: bounds.optional(),
  recent: z.array(recent).max(50).default([]),
});
export type Settings = z.output<typeof settingsSchema>;
export type RecentEntry = Settings['recent'][number];

export class SettingsStore {
  readonly file: string;
  settings: Settings;
  /** Set when the file on disk could not be used; the store then never writes it. */
  readonly problem: string | null = null;
  /** Why the last write of settings.json failed (disk full, read-only); null after a good one. */
  writeProblem: string | null = null;
  /** Called after every change (the menu's recent list follows it). */
  onChange: (() => void) | null = null;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'settings.json');
    let text: string | null = null;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.problem = `${this.file}: cannot be read (${(e as NodeJS.ErrnoException).code})`;
    }
    let parsed: Settings | null = null;
    if (text !== null) {
      try {
        const r = settingsSchema.safeParse(JSON.parse(text));
        if (r.success) parsed = r.data;
        else this.problem = `${this.file}: ${r.error.issues[0].path.join('.') || 'settings'}: ${r.error.issues[0].message}`;
      } catch (e) {
        this.problem = `${this.file}: is not valid JSON (${(e as Error).message})`;
      }
    }
    this.settings = parsed ?? settingsSchema.parse({});
  }

  update(patch: Partial<Settings>): void {
    const recentChanged = patch.recent !== undefined;
    this.settings = { ...this.settings, ...patch };
    // (a broken file is kept for the user to fix or delete, never overwritten)
    if (!this.problem) {
      try {
        writeFileAtomic(this.file, JSON.stringify(this.settings, null, 2) + '\n');
        this.writeProblem = null;
      } catch (e) {
        // Settings are a convenience: a full disk must not fail the save or export
        // that updated them. They stay in memory and are written on the next change.
        this.writeProblem = (e as Error).message;
      }
    }
    if (recentChanged) this.onChange?.();
  }

  /** Moves `entry` to the top of the recent list. */
  addRecent(entry: RecentEntry): void {
    const rest = this.settings.recent.filter((r) => r.path !== entry.path);
    this.update({ recent: [entry, ...rest].slice(0, MAX_RECENT) });
  }
}
