/**
 * Design files on disk, shared by the CLI, the server and the desktop app:
 * loading with errors that name the file and the problem, and atomic writes so a
 * crash or a full disk never leaves a half-written file where a good one was.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { safeParseDesign, type Design } from '../core/design.ts';
import { InputError } from '../core/input-error.ts';
import { getPreset } from '../core/presets.ts';

/**
 * A design file that cannot be used, named by its path (or a picked file's name).
 * As an InputError its field is the design's field at fault, or `file` when the
 * file as a whole is wrong (missing, not JSON); the message names the path.
 */
export class DesignFileError extends InputError {
  constructor(
    readonly path: string,
    /** The design's field at fault; '' when the file as a whole is wrong. */
    readonly designField: string,
    readonly problem: string,
  ) {
    super(designField || 'file', problem);
    this.message = `${path}: ${designField ? `${designField}: ` : ''}${problem}`;
    this.name = 'DesignFileError';
  }
}

/** Reads and validates a design file. Never modifies the file. */
export function readDesignFile(path: string): Design {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DesignFileError(path, '', code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a design file' : `cannot be read (${code})`);
  }
  return parseDesignText(path, text);
}

/** Parses a design file's text; errors name the file (`name`: a path or a picked file's name) and the problem. */
export function parseDesignText(name: string, text: string): Design {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DesignFileError(name, '', `is not valid JSON (${(e as Error).message}); the file may be truncated or corrupt`);
  }
  const r = safeParseDesign(json);
  if (!r.ok) throw new DesignFileError(name, r.error.field, r.error.issues[0].rule);
  return r.design;
}

/** A preset name or a path to a design file. */
export function loadDesign(ref: string): Design {
  const preset = getPreset(ref);
  if (preset) return preset;
  if (!/[./\\]/.test(ref)) throw new InputError('design', `"${ref}" is neither a preset (see "captcha-studio presets") nor a .json file`);
  return readDesignFile(ref);
}

/**
 * Writes via a temporary file in the same folder, flushed, then renamed over the
 * target: readers see the old file or the new one, never a mix. On failure the
 * temporary file is removed and the old file is untouched.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new FileWriteError(path, e as NodeJS.ErrnoException);
  }
}

const WRITE_PROBLEMS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the disk is read-only',
  EACCES: 'the folder is not writable (permission denied)',
  EPERM: 'the folder is not writable (operation not permitted)',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'a folder has that name',
};

/**
 * A failed atomic write, in words a user can act on. Keeps the system error's
 * `code` (callers and the IPC layer pass such errors on to the user).
 */
export class FileWriteError extends Error {
  readonly code: string;
  constructor(
    readonly path: string,
    cause: NodeJS.ErrnoException,
  ) {
    const code = cause.code ?? 'EIO';
    const why = (Object.hasOwn(WRITE_PROBLEMS, code) && WRITE_PROBLEMS[code]) || cause.message;
    super(`could not write ${path}: ${why} (${code}); the previous file, if there was one, is unchanged`, { cause });
    this.name = 'FileWriteError';
    this.code = code;
  }
}

export function saveDesignFile(path: string, design: Design): void {
  writeFileAtomic(path, JSON.stringify(design, null, 2) + '\n');
}
