/**
 * Small facts about a design that several parts need and must agree on: whether it
 * is a captcha, and the file name its images and documents get.
 */
import type { Design, ImageFormat } from './design.ts';
import type { FontSummary } from './fonts.ts';

/** A captcha has an answer: random or math text. A fixed text or no text is a background. */
export function isCaptcha(design: Pick<Design, 'text'>): boolean {
  return !!design.text && design.text.mode !== 'fixed';
}

export function designKind(design: Pick<Design, 'text'>): 'captcha' | 'background' {
  return isCaptcha(design) ? 'captcha' : 'background';
}

/**
 * A name safe as a file name on every system: runs of anything but letters, digits,
 * `.`, `_` and `-` become `-`, and no leading dot or dash (no hidden files, no options).
 */
export function fileSlug(name: string, fallback = 'image'): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || fallback;
}

/** The media type and the file extension of each output format. */
export const MIME: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
export const EXTENSION: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

/** A font as shown to a client: the file's base name only, never where it lives on disk. */
export function publicFont<F extends Pick<FontSummary, 'file'>>(font: F): F {
  return { ...font, file: font.file.split(/[\\/]/).pop() ?? '' };
}
