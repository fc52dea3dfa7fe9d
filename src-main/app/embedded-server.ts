/**
 * The image server inside the desktop app: started with the app on the port from
 * settings, falling back to a free port (and saying so) when that one is taken,
 * restartable from the server panel, stopped on quit.
 */
import { EventEmitter } from 'node:events';
import type { RequestLogEntry, ServerStatus } from '../api.ts';
import type { RenderPool } from '../render/pool.ts';
import { DesignSource } from '../server/design-source.ts';
import { StudioServer } from '../server/server.ts';
import { randomSecret, signPath } from '../server/signing.ts';
import type { StudioService } from '../studio/studio-service.ts';

export class EmbeddedServer extends EventEmitter<{ request: [RequestLogEntry] }> {
  private server: StudioServer | null = null;
  private message: string | null = null;
  private preferred: number;
  /** Published designs and captchas outlive a restart of the server. */
  readonly designs = new DesignSource();
  /**
   * One secret for the app's run, so the signed captcha snippets the studio
   * published (and ids issued) stay valid when the server restarts.
   */
  private readonly secret = randomSecret();

  constructor(
    private readonly pool: RenderPool,
    preferredPort: number,
    private readonly opts: { service?: StudioService; rendererDir?: string; /** Where used captcha ids live: `memory` or `redis://…` (settings.store). */ store?: string } = {},
  ) {
    super();
    this.preferred = preferredPort;
    this.designs.signer = (p) => signPath(this.secret, p);
  }

  /**
   * The server shares the app's one StudioService (its pool, fonts and caches) as
   * the untrusted view: the app reads the image files a design names, and any local
   * process reaching this port must not, so web mode refuses them as it does in
   * `captcha-studio serve`.
   */
  private make(port: number, message: string | null): StudioServer {
    const s = new StudioServer({
      host: '127.0.0.1',
      port,
      sharedPool: this.pool,
      designs: this.designs,
      secret: this.secret,
      controllable: true,
      message,
      studioService: this.opts.service?.untrustedView(),
      rendererDir: this.opts.rendererDir,
      store: this.opts.store,
    });
    // The server's request log without the designer's own calls (it filters them once, for web mode too).
    s.on('log', (e) => this.emit('request', e));
    return s;
  }

  async start(port = this.preferred): Promise<ServerStatus> {
    if (this.server) await this.stop();
    this.preferred = port;
    this.message = null;
    let s = this.make(port, null);
    try {
      await s.start();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (e as NodeJS.ErrnoException).code !== 'EACCES') {
        this.message = `the image server could not start: ${(e as Error).message}`;
        return this.status();
      }
      s = this.make(0, null);
      await s.start();
      this.message = `port ${port} was busy, so the server uses port ${s.address!.port} instead`;
      s.options.message = this.message;
    }
    this.server = s;
    return this.status();
  }

  async stop(): Promise<ServerStatus> {
    const s = this.server;
    this.server = null;
    await s?.stop();
    this.message = null;
    return this.status();
  }

  status(): ServerStatus {
    if (this.server) return { ...this.server.status(), preferredPort: this.preferred };
    return { running: false, url: null, port: null, preferredPort: this.preferred, message: this.message, controllable: true };
  }
}
