/**
 * A folder that appears all at once or not at all. Its content is written into a
 * hidden staging folder BESIDE the target (same parent, so the same file system)
 * and the whole folder is moved into place with one rename. A kill at any moment
 * leaves either no target (or the target as it was) or the complete one, never
 * part of it; the staging folder left by a killed run carries its pid in its name
 * and is removed by the next run that writes the same target.
 *
 * Names beside TARGET (hidden, so file managers and globs skip them):
 *   .TARGET.staging-<pid>-XXXXXX    the content being written
 *   .TARGET.replaced-<pid>-XXXXXX   with `replace`, the old folder during the swap
 *
 * When the target already exists:
 *   - an empty folder is replaced (one rename on POSIX; rmdir then rename on Windows);
 *   - a non-empty folder is refused (TargetExistsError) unless `replace`: then the old
 *     folder is renamed aside, the new one renamed in, and the old one removed. No OS
 *     call swaps two folders atomically from Node, so between those two renames the
 *     target is briefly missing; a run killed there has its old folder put back by
 *     the next run (the swap never happened), and one killed after the second rename
 *     has its old folder removed (the swap happened);
 *   - a file (not a folder) is refused.
 */
import { execFile } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { FileWriteError } from '../files/design-files.ts';
import { ownerPid, pidAlive, removeStaleDirs } from '../files/owned-dirs.ts';

const TARGET_PROBLEMS = { 'not-a-folder': 'exists and is not a folder', 'not-empty': 'already exists and is not empty' } as const;

/** The target exists and may not be replaced; `problem` reads after the path. */
export class TargetExistsError extends Error {
  readonly problem: string;
  constructor(
    readonly path: string,
    /** not-empty: `replace` would allow it; not-a-folder: nothing would. */
    readonly reason: keyof typeof TARGET_PROBLEMS,
  ) {
    super(`${path} ${TARGET_PROBLEMS[reason]}`);
    this.name = 'TargetExistsError';
    this.problem = TARGET_PROBLEMS[reason];
  }
}

/** The target's name as used in hidden names: long names are shortened with a hash, so they stay unique and fit. */
function tag(target: string): string {
  const base = basename(target);
  return base.length <= 100 ? base : `${base.slice(0, 80)}~${createHash('sha256').update(base).digest('hex').slice(0, 12)}`;
}

function stagingPrefix(target: string): string {
  return `.${tag(target)}.staging`;
}

function replacedPrefix(target: string): string {
  return `.${tag(target)}.replaced`;
}

function isEmptyDir(path: string): boolean {
  try {
    return statSync(path).isDirectory() && readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Flushes a folder's entries (renames) to disk where the OS allows it (not on Windows). */
function syncDir(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort: durability across power loss, not correctness.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Flushes the files written into `dir` (not its subfolders: staging folders are flat)
 * before it is moved into place. On Linux that is one syncfs(2) of the file system
 * holding it, through coreutils' `sync --file-system`: a batch of 20,000 images
 * spent half its time in one fdatasync per file (measured: 5,000 captchas took
 * 17.5 s with them, 9.2 s with none). Elsewhere, or when that fails, each file is
 * fsynced here, after all are written, which lets the OS write them out together.
 */
async function flushFiles(dir: string): Promise<void> {
  if (process.platform === 'linux') {
    const flushed = await new Promise<boolean>((done) => execFile('sync', ['--file-system', dir], (err) => done(!err)));
    if (flushed) return;
  }
  for (const name of readdirSync(dir)) {
    const fd = openSync(join(dir, name), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Refuses a target that cannot be written: a file, or a non-empty folder without
 * `replace`. Called before any work, so a refusal costs nothing.
 */
export function checkTarget(target: string, replace = false): void {
  let st;
  try {
    st = statSync(target);
  } catch {
    return;
  }
  if (!st.isDirectory()) throw new TargetExistsError(target, 'not-a-folder');
  if (!replace && readdirSync(target).length > 0) throw new TargetExistsError(target, 'not-empty');
}

/**
 * Cleans up after runs of this target that were killed: their staging folders are
 * removed; a folder set aside by a killed replace is put back when the target is
 * missing (the swap never happened) and removed otherwise. Live pids' folders
 * (another batch running now) are left alone. Returns the names it removed or restored.
 */
function cleanStaleStaging(target: string): string[] {
  const parent = dirname(target);
  const done: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return done;
  }
  const staging = stagingPrefix(target);
  const replaced = replacedPrefix(target);
  // Put back a set-aside folder first, so a stale staging folder is never mistaken for the result.
  for (const name of names.sort()) {
    const pid = ownerPid(name, replaced);
    if (pid === null || pidAlive(pid)) continue;
    try {
      if (!exists(target)) renameSync(join(parent, name), target);
      else rmSync(join(parent, name), { recursive: true, force: true });
      done.push(name);
    } catch {
      // Left for a later run.
    }
  }
  done.push(...removeStaleDirs(parent, staging));
  return done;
}

/**
 * Moves the finished staging folder to `target` (see the file comment for the
 * cases), then flushes the parent's entries once, so the move is on disk before
 * an old folder set aside by a replace is removed.
 */
function moveIntoPlace(staging: string, target: string, replace: boolean): void {
  const aside = renameIntoPlace(staging, target, replace);
  syncDir(dirname(target));
  if (aside === null) return;
  try {
    rmSync(aside, { recursive: true, force: true });
  } catch {
    // The new folder is in place; the old one is swept by the next run of this target.
  }
}

/** The renames of moveIntoPlace; returns where a replaced folder was set aside, or null. */
function renameIntoPlace(staging: string, target: string, replace: boolean): string | null {
  try {
    renameSync(staging, target);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTEMPTY/EEXIST: a non-empty folder (POSIX); EPERM/EACCES/EISDIR: any existing folder (Windows).
    if (!['ENOTEMPTY', 'EEXIST', 'EPERM', 'EACCES', 'EISDIR'].includes(code ?? '') || !exists(target)) throw e;
  }
  checkTarget(target, replace);
  if (isEmptyDir(target)) {
    rmdirSync(target);
    renameSync(staging, target);
    return null;
  }
  const aside = join(dirname(target), `${replacedPrefix(target)}-${process.pid}-${randomBytes(6).toString('hex')}`);
  renameSync(target, aside);
  try {
    renameSync(staging, target);
  } catch (e) {
    renameSync(aside, target);
    throw e;
  }
  return aside;
}

export interface StagedFolderOptions {
  /** Swap a non-empty target for the new folder instead of refusing. */
  replace?: boolean;
}

/**
 * Creates `target` all at once: `fill` writes into the staging folder it is given,
 * then the folder is moved into place with one rename. If `fill` throws (a render
 * error, a full disk, a cancel) the staging folder is removed and the target is
 * untouched. Throws TargetExistsError (before `fill` runs) when the target cannot
 * be written; see the file comment.
 */
export async function writeFolderAtomically<T>(target: string, fill: (staging: string) => T | Promise<T>, opts: StagedFolderOptions = {}): Promise<T> {
  const path = resolve(target);
  const parent = dirname(path);
  mkdirSync(parent, { recursive: true });
  cleanStaleStaging(path);
  checkTarget(path, opts.replace);
  const staging = mkdtempSync(join(parent, `${stagingPrefix(path)}-${process.pid}-`));
  try {
    const result = await fill(staging);
    // Every file's bytes, then the folder's entries, are on disk before the move makes them visible.
    await flushFiles(staging);
    syncDir(staging);
    moveIntoPlace(staging, path, opts.replace ?? false);
    return result;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Writes one new file into a staging folder. No temporary name and rename per
 * file, as writeFileAtomic needs for a file in place: nobody sees the staging
 * folder until it is moved in whole, and writeFolderAtomically flushes all the
 * files at once before it does (flushFiles), so none is synced here.
 * Synchronous on purpose: a batch's files are small, and three thread-pool round
 * trips per file (open, write, close) made the writes, one file after another,
 * the slowest part of a batch (the workers waited on them); a direct write takes
 * tens of microseconds. Async in signature, for the sinks that call it.
 */
export async function writeStagedFile(staging: string, name: string, data: Uint8Array | string): Promise<void> {
  const path = join(staging, name);
  // Names come from fileSlug/batchFileName; anything else is a bug, not a path to follow.
  if (basename(name) !== name || name === '..' || name === '.') throw new Error(`not a file name: ${JSON.stringify(name)}`);
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'wx', 0o644);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (e) {
    throw new FileWriteError(path, e as NodeJS.ErrnoException);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
