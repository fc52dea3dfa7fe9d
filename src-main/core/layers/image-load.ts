/**
 * Reading and decoding image-layer sources before a render: a data URL, or a
 * local file when the caller allows files. Only PNG, JPEG, WebP and GIF whose
 * headers are complete and within LIMITS.area reach the decoder.
 */
import { Image } from '@napi-rs/canvas';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DesignError } from '../design-error.ts';
import { IMAGE_FORMATS, ImageHeaderError, sniffImage, type ImageHeader } from '../image-header.ts';
import { LIMITS } from '../limits.ts';
import type { Layer } from './index.ts';
import type { ImageSet } from './kind.ts';

export type { ImageSet } from './kind.ts';

/**
 * The largest image file read from disk. Files are read whole before their header
 * is checked, so a design naming a huge file (or a device) must not make us try;
 * data URLs are bounded by the schema (LIMITS.imageSource characters).
 */
const MAX_IMAGE_FILE = 128 * 2 ** 20;

/** Reads (and checks) one image source: a data URL, or a local file path. */
function imageBytes(src: string, field: string, assetDir: string | undefined): Buffer {
  if (src.startsWith('data:')) {
    // The declared MIME type is not trusted either way: sniffImage decides by the bytes.
    const m = /^data:image\/[a-z+.-]+;base64,(.*)$/is.exec(src);
    if (!m) throw new DesignError([{ field, rule: 'must be a base64 image data URL' }]);
    return Buffer.from(m[1], 'base64');
  }
  // A network path would make the OS connect (and on Windows send the user's
  // credentials) to a host named by whoever wrote the design file.
  if (/^(\\\\|\/\/)/.test(src) || /^[a-z][a-z0-9+.-]+:/i.test(src))
    throw new DesignError([{ field, rule: 'must be a local file path or a data URL (network paths and URLs are not read)' }]);
  if (!isAbsolute(src) && !assetDir) throw new DesignError([{ field, rule: 'must be an absolute path or a data URL here' }]);
  let fd: number;
  try {
    // Non-blocking, so a FIFO named by a design cannot hang the open (POSIX; 0 elsewhere).
    fd = openSync(assetDir ? resolve(assetDir, src) : src, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    throw new DesignError([{ field, rule: `image file not found or unreadable: ${src}` }]);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new DesignError([{ field, rule: `must be an image file, not a device, folder or pipe: ${src}` }]);
    if (st.size > MAX_IMAGE_FILE) throw new DesignError([{ field, rule: `image file is ${st.size.toLocaleString('en-US')} bytes; at most ${MAX_IMAGE_FILE.toLocaleString('en-US')} are read` }]);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (!got) break;
      n += got;
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof DesignError) throw e;
    throw new DesignError([{ field, rule: `image file not found or unreadable: ${src}` }]);
  } finally {
    closeSync(fd);
  }
}

/**
 * Decodes every image layer's source. Skia decodes off-thread, and an Image drawn
 * before its decode finished draws nothing, so rendering (which is synchronous)
 * takes the decoded set from here. Errors name the layer's field.
 *
 * Skia would decode anything it recognises, SVG included, and aborts the process
 * on some (a 300-byte SVG declaring 60000x60000 pixels). So the bytes are checked
 * first, without Skia: only PNG, JPEG, WebP and GIF, with a complete header whose
 * declared size is within LIMITS.area. Then Skia's own reading of the size must
 * agree before it decodes anything.
 */
export async function loadImages(design: { readonly background: readonly Layer[] }, assetDir?: string): Promise<ImageSet> {
  const images = new Map<string, Image>();
  for (const [i, layer] of design.background.entries()) {
    if (layer.type !== 'image' || layer.hidden || images.has(layer.src)) continue;
    const field = `background.${i}.src`;
    const bytes = imageBytes(layer.src, field, assetDir);
    let header: ImageHeader;
    try {
      header = sniffImage(bytes);
    } catch (e) {
      if (e instanceof ImageHeaderError) throw new DesignError([{ field, rule: e.rule }]);
      throw e;
    }
    // A few KiB of PNG can declare 60000x60000 pixels: a decompression bomb.
    if (header.width * header.height > LIMITS.area) throw new DesignError([{ field, rule: `is ${header.width}x${header.height} pixels; images may have at most ${LIMITS.area.toLocaleString('en-US')} (checked before decoding)` }]);
    const img = new Image();
    img.src = bytes;
    // Skia reads the header at once. Its size must be the one checked above (or
    // turned by the JPEG's EXIF orientation); otherwise the two parsers disagree
    // about these bytes and the check above proved nothing.
    const undecodable = new DesignError([{ field, rule: `must be a valid ${IMAGE_FORMATS} image (it could not be decoded; is the file truncated?)` }]);
    if (!img.width || !img.height) throw undecodable;
    const same = (img.width === header.width && img.height === header.height) || (img.width === header.height && img.height === header.width);
    if (!same)
      throw new DesignError([{ field, rule: `must be a valid ${IMAGE_FORMATS} image: its header says ${header.width}x${header.height} but it reads as ${img.width}x${img.height}` }]);
    try {
      await img.decode();
    } catch {
      throw undecodable;
    }
    images.set(layer.src, img);
  }
  return images;
}
