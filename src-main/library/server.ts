/**
 * `captcha-studio` and `captcha-studio/server`: captchas issued and verified inside
 * your own Node backend (see docs/integration.md).
 */
export { createCaptchaService, toDataUrl, DEFAULT_DESIGN, type CaptchaService, type CaptchaServiceOptions, type IssuedCaptcha } from './captcha-service.ts';
export { CaptchaStore, StoreUnavailableError, type AnswerStore, type CaptchaStoreOptions, type StoreHealth } from '../server/captcha-store.ts';
export { createAnswerStore } from '../server/answer-stores.ts';
export { signPath } from '../server/signing.ts';
export { InputError, type InputErrorKind } from '../core/input-error.ts';
export { DesignError, type Design, type DesignInput, type DesignIssue } from '../core/design.ts';
