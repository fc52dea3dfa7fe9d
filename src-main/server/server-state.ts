/** What every route may use: the server's shared state, as `c.app` in a route's context. */
import type { ServerStatus } from '../api.ts';
import type { RenderPool } from '../render/pool.ts';
import type { AccessPolicy } from './access.ts';
import type { CaptchaAudio } from './captcha-audio.ts';
import type { AnswerStore } from './captcha-store.ts';
import type { CaptchaSupply } from './captcha-supply.ts';
import type { ClusterLink } from './cluster.ts';
import type { DesignSource } from './design-source.ts';
import type { ImageCache } from './image-cache.ts';
import type { Context } from './router.ts';
import type { StudioWeb } from './studio-web.ts';

export interface ServerState {
  pool: RenderPool;
  supply: CaptchaSupply;
  cache: ImageCache;
  store: AnswerStore;
  /** Issued captchas' answers for their audio form (GET /captcha.wav), until used or expired. */
  audio: CaptchaAudio;
  designs: DesignSource;
  /** Which Host names are answered, and who may use the design-time routes. */
  access: AccessPolicy;
  /** What /captcha.png and POST /api/captcha issue unless a signed URL names another design. */
  captchaDesign: string;
  /** Signs the URLs of issuing-route variants (and seals captcha ids). */
  secret: string;
  /** The captcha cookie's name carries the port: browsers share cookies across ports of a host. */
  cookieName: () => string;
  exposeAnswers: boolean;
  /** Seconds a seeded image may be cached by browsers. */
  maxAge: number;
  origin: () => string;
  /** Web mode (the UI at /studio/ and /api/studio/); null when turned off. */
  studio: StudioWeb | null;
  status: () => ServerStatus;
  version: string;
  /** `serve --processes N`: this process's link to its siblings (cluster.ts); null for a lone server. */
  cluster: ClusterLink | null;
}

export type Ctx = Context<ServerState>;
