/**
 * Files under faults: a full disk or a read-only folder during every kind of
 * write the app makes, broken design files, and font files that do not parse.
 * Faults are injected into node:fs (a full disk cannot be made on demand, and
 * CI runs as root, which ignores folder permissions); a real read-only folder is
 * also tried, with chmod as a user and the immutable attribute as root.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

/** `write`/`open`: the error code to inject; `spare`: how many atomic writes to let through first. */
const faults = vi.hoisted(() => ({ write: '', open: '', spare: 0, armed: false }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const fail = (code: string) => Object.assign(new Error(`${code}: injected fault`), { code });
  const mocked = {
    ...real,
    // The temporary file of an atomic write is opened with 'wx'.
    openSync: ((path: string, flags?: string, mode?: number) => {
      if (flags === 'wx') faults.armed = faults.spare-- <= 0;
      if (faults.open && flags === 'wx' && faults.armed) throw fail(faults.open);
      return real.openSync(path, flags as string, mode);
    }) as typeof real.openSync,
    // A full disk takes part of the data, then refuses the rest.
    writeSync: ((fd: number, buf: Uint8Array, off?: number, len?: number) => {
      if (faults.write && faults.armed) {
        real.writeSync(fd, buf, off ?? 0, Math.min(len ?? buf.length, 7));
        throw fail(faults.write);
      }
      return real.writeSync(fd, buf, off, len);
    }) as typeof real.writeSync,
  };
  return { ...mocked, default: mocked };
});

// Batch files are written through file handles (batch/staged-folder.ts writeStagedFile): the same faults there.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const fail = (code: string) => Object.assign(new Error(`${code}: injected fault`), { code });
  const open = (async (path: string, flags?: string, mode?: number) => {
    if (flags === 'wx') faults.armed = faults.spare-- <= 0;
    if (faults.open && flags === 'wx' && faults.armed) throw fail(faults.open);
    const handle = await real.open(path, flags, mode);
    if (!(faults.write && faults.armed)) return handle;
    // A full disk takes part of the data, then refuses the rest.
    const writeFile = async (data: string | Uint8Array) => {
      if (typeof data === 'string') await handle.write(data.slice(0, 7));
      else await handle.write(data.subarray(0, 7));
      throw fail(faults.write);
    };
    return Object.assign(Object.create(handle) as typeof handle, { writeFile, close: () => handle.close() });
  }) as typeof real.open;
  const mocked = { ...real, open };
  return { ...mocked, default: mocked };
});

const { getPreset } = await import('../../src-main/core/presets.ts');
const { fontRegistry } = await import('../../src-main/core/fonts.ts');
const { desktopHarness } = await import('./harness.ts');
const { StudioService } = await import('../../src-main/studio/studio-service.ts');
const { RenderPool } = await import('../../src-main/render/pool.ts');
const { DesignSource } = await import('../../src-main/server/design-source.ts');

const h = desktopHarness();
afterAll(() => h.close());
afterEach(() => {
  Object.assign(faults, { write: '', open: '', spare: 0, armed: false });
});

const tmpFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Saves `first`, then tries `second` under the fault: the error names the file and the cause; `first` stays. */
async function savesKeepPrevious(fault: 'write' | 'open', code: string, cause: RegExp) {
  const dir = join(h.userData, `${fault}-${code}`);
  mkdirSync(dir);
  const path = join(dir, 'kept.json');
  h.next.save.push(path);
  await h.studio.saveDesign({ ...getPreset('classic-captcha'), name: 'first' });
  const before = readFileSync(path, 'utf8');
  faults[fault] = code;
  await expect(h.studio.saveDesign({ ...getPreset('classic-captcha'), name: 'second' }, { path })).rejects.toThrow(new RegExp(`could not write ${escape(path)}: ${cause.source} \\(${code}\\); the previous file, if there was one, is unchanged`));
  faults[fault] = '';
  expect(readFileSync(path, 'utf8')).toBe(before);
  expect(tmpFiles(dir)).toEqual([]);
}

describe('saving under faults', () => {
  it('a full disk mid-write reports it and keeps the previous design file', () => savesKeepPrevious('write', 'ENOSPC', /the disk is full/));
  it('a read-only disk reports it and keeps the previous design file', () => savesKeepPrevious('open', 'EROFS', /the disk is read-only/));
  it('a folder without write permission reports it and keeps the previous design file', () => savesKeepPrevious('open', 'EACCES', /the folder is not writable \(permission denied\)/));

  it('exports and autosaves under a full disk fail cleanly and keep what was there', async () => {
    const img = join(h.userData, 'export.png');
    h.next.save.push(img);
    await h.studio.exportImage(getPreset('classic-captcha')!, 3);
    const before = readFileSync(img);
    faults.write = 'ENOSPC';
    h.next.save.push(img);
    await expect(h.studio.exportImage(getPreset('classic-captcha')!, 4)).rejects.toThrow(/could not write .*export\.png: the disk is full/);
    expect(readFileSync(img).equals(before)).toBe(true);

    faults.write = '';
    h.studio.autosave({ ...getPreset('math-captcha'), name: 'draft one' });
    faults.write = 'ENOSPC';
    expect(() => h.studio.autosave({ ...getPreset('math-captcha'), name: 'draft two' })).toThrow(/autosave\.json: the disk is full/);
    faults.write = '';
    expect(h.studio.restoreAutosave()?.design.name).toBe('draft one');
    expect(tmpFiles(h.userData)).toEqual([]);
  });

  it('a batch export that fills the disk leaves nothing half-written in the folder', async () => {
    const dir = join(h.userData, 'batch-full');
    mkdirSync(dir);
    writeFileSync(join(dir, 'mine.txt'), 'the user\'s own file');
    h.next.folder.push(dir);
    faults.write = 'ENOSPC';
    await expect(h.studio.exportBatch(getPreset('classic-captcha')!, 20, 'full-1')).rejects.toThrow(/the disk is full/);
    faults.write = '';
    expect(readdirSync(dir)).toEqual(['mine.txt']);
  });

  it('settings that cannot be written never fail the save that changed them', async () => {
    const path = join(h.userData, 'settings-full.json');
    h.next.save.push(path);
    await h.studio.saveDesign({ name: 'ok' });
    const settingsBefore = readFileSync(h.settings.file, 'utf8');
    // The design file is written first and gets through; the settings write after it fails.
    Object.assign(faults, { write: 'ENOSPC', spare: 1 });
    expect(await h.studio.saveDesign({ name: 'saved anyway' }, { path })).toEqual({ path, name: 'settings-full.json' });
    faults.write = '';
    expect(JSON.parse(readFileSync(path, 'utf8')).name).toBe('saved anyway');
    expect(h.settings.writeProblem).toMatch(/settings\.json: the disk is full/);
    expect(readFileSync(h.settings.file, 'utf8')).toBe(settingsBefore);
    h.settings.update({});
    expect(h.settings.writeProblem).toBeNull();
  });
});

/** Makes a folder read-only for real: chmod as a user; as root (who ignores modes), the immutable attribute. */
function lockFolder(dir: string): (() => void) | null {
  if (process.getuid?.() !== 0) {
    execFileSync('chmod', ['555', dir]);
    return () => execFileSync('chmod', ['755', dir]);
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return () => execFileSync('chattr', ['-i', dir]);
  } catch {
    return null; // no chattr, or the file system or container does not allow it
  }
}

describe('a really read-only folder', () => {
  const dir = join(h.userData, 'locked');
  mkdirSync(dir);
  const path = join(dir, 'kept.json');
  const probe = lockFolder(dir);
  probe?.();
  it.skipIf(!probe)('reports it and keeps the previous file (chmod 555, or chattr +i as root)', async () => {
    h.next.save.push(path);
    await h.studio.saveDesign({ name: 'first' });
    const before = readFileSync(path, 'utf8');
    const unlock = lockFolder(dir)!;
    try {
      await expect(h.studio.saveDesign({ name: 'second' }, { path })).rejects.toThrow(/could not write .*kept\.json: the folder is not writable/);
      expect(readFileSync(path, 'utf8')).toBe(before);
    } finally {
      unlock();
    }
    expect(tmpFiles(dir)).toEqual([]);
  });
});

describe('broken design files are reported, never overwritten', () => {
  const cases: Record<string, [string, RegExp]> = {
    'corrupt.json': ['not json at all', /is not valid JSON/],
    'truncated.json': [JSON.stringify(getPreset('classic-captcha')).slice(0, 40), /truncated or corrupt/],
    'newer.json': [JSON.stringify({ ...getPreset('classic-captcha'), version: 7 }), /version: was written by a newer Captcha Studio/],
    'wrong.json': [JSON.stringify({ width: 'wide' }), /width: must be a number/],
    'empty.json': ['', /is not valid JSON/],
  };

  it('in the desktop app: open reports path and problem; a later save cannot silently write over it', async () => {
    for (const [name, [text, problem]] of Object.entries(cases)) {
      const path = join(h.userData, name);
      writeFileSync(path, text);
      h.next.open.push(path);
      await expect(h.studio.openDesign()).rejects.toThrow(new RegExp(`${escape(path)}: .*${problem.source}`));
      // The app never adopted the path: saving "there" goes through the dialog (cancelled here).
      expect(await h.studio.saveDesign({ name: 'x' }, { path })).toBeNull();
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
  });

  it('in the server: a request names the design and the problem, and the file stays', () => {
    const dir = join(h.userData, 'served');
    mkdirSync(dir);
    const source = new DesignSource(dir);
    for (const [name, [text, problem]] of Object.entries(cases)) {
      const stem = name.replace('.json', '');
      writeFileSync(join(dir, name), text);
      expect(() => source.get(stem)).toThrow(new RegExp(`design: saved design "${stem}" is invalid: .*${problem.source}`));
      expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
    }
    // Broken files are left out of the list instead of breaking it.
    expect(source.list().filter((d) => d.source === 'saved')).toEqual([]);
  });
});

describe('fonts that fail to parse', () => {
  it('are reported with their path and skipped at start; good fonts beside them load', async () => {
    const dir = join(h.userData, 'user-fonts');
    mkdirSync(dir);
    writeFileSync(join(dir, 'broken.ttf'), 'this is not a font');
    writeFileSync(join(dir, 'truncated.otf'), readFileSync(new URL('../../fonts/ComicNeue-Bold.otf', import.meta.url)).subarray(0, 300));
    copyFileSync(new URL('../../fonts/Humor-Sans.ttf', import.meta.url), join(dir, 'Good-Copy.ttf'));
    const pool = new RenderPool({ size: 1 });
    try {
      const service = new StudioService(pool, dir);
      expect(service.problems).toHaveLength(2);
      expect(service.problems.join('\n')).toMatch(new RegExp(`${escape(join(dir, 'broken.ttf'))}: `));
      expect(service.problems.join('\n')).toMatch(new RegExp(`${escape(join(dir, 'truncated.otf'))}: `));
      expect(fontRegistry().list().some((f) => f.file === join(dir, 'Good-Copy.ttf'))).toBe(true);
      expect(readFileSync(join(dir, 'broken.ttf'), 'utf8')).toBe('this is not a font');
      // The desktop window shows them at start.
      expect((await import('../../src-main/app/desktop-studio.ts')).DesktopStudio.prototype.info.call({ service, version: '1' } as never).problems).toEqual(service.problems);
    } finally {
      await pool.close();
    }
  });

  it('an import that does not parse is refused with the reason, and nothing is written', async () => {
    const before = readdirSync(join(h.userData, 'fonts'));
    await expect(h.studio.importFont({ name: 'evil.ttf', bytes: new Uint8Array(Buffer.from('OTTO garbage garbage')) })).rejects.toThrow(/font: evil\.ttf is not a usable font/);
    expect(readdirSync(join(h.userData, 'fonts'))).toEqual(before);
  });

  it('importing a different font under a name already used keeps both files', async () => {
    const dejavu = readFileSync(new URL('../../fonts/DejaVuSerif-Bold.ttf', import.meta.url));
    const liberation = readFileSync(new URL('../../fonts/LiberationSans-Bold.ttf', import.meta.url));
    const a = await h.studio.importFont({ name: 'Brand.ttf', bytes: new Uint8Array(dejavu) });
    const b = await h.studio.importFont({ name: 'Brand.ttf', bytes: new Uint8Array(liberation) });
    const again = await h.studio.importFont({ name: 'Brand.ttf', bytes: new Uint8Array(dejavu) });
    expect(a!.file.split('/').pop()).toBe('Brand.ttf');
    expect(b!.file.split('/').pop()).toBe('Brand-2.ttf');
    expect(again!.file).toBe(a!.file);
    expect(readFileSync(a!.file).equals(dejavu)).toBe(true);
    expect(readFileSync(b!.file).equals(liberation)).toBe(true);
    expect(existsSync(join(h.userData, 'fonts', 'Brand-3.ttf'))).toBe(false);
  });
});
