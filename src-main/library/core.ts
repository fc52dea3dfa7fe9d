/**
 * `captcha-studio/core`: the rendering core alone, for images without any answer
 * store: design + seed -> pixels or encoded bytes (+ the captcha's answer).
 */
export { renderDesign, renderImage, encodeImage, loadImages, type Rendered, type RenderedImage, type RenderOptions, type ImageSet, type GlyphBox } from '../core/render.ts';
export { parseDesign, safeParseDesign, DesignError, LIMITS, type Design, type DesignInput, type DesignIssue, type ParseResult, type ImageFormat, type OutputSpec } from '../core/design.ts';
export { getPreset, listPresets, presetNames, type PresetSummary } from '../core/presets.ts';
export { InputError, type InputErrorKind } from '../core/input-error.ts';
export { isCaptcha } from '../core/naming.ts';
