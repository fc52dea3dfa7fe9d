/** Web mode's state, kept by the server while it runs: the designer's service, batch exports, request-log streams. */
import type { RequestLogEntry } from '../api.ts';
import type { StudioService } from '../studio/studio-service.ts';
import { BatchJobs, type BatchZipLimits } from './batch-jobs.ts';
import { LogStreams } from './log-streams.ts';
import { PreviewSockets } from './preview-socket.ts';

/** Requests the studio UI makes itself: not shown in its own request log. */
export function isStudioTraffic(path: string): boolean {
  return path === '/studio' || path.startsWith('/studio/') || path.startsWith('/api/studio/');
}

export class StudioWeb {
  readonly streams = new LogStreams();
  readonly batches: BatchJobs;
  /** The designer's preview channel (preview-socket.ts). */
  readonly previewSockets: PreviewSockets;

  constructor(
    readonly service: StudioService,
    readonly rendererDir: string | undefined,
    zipLimits: Partial<BatchZipLimits> = {},
    /** False when the service is the caller's (the desktop app's): it outlives this server. */
    private readonly ownsService = true,
  ) {
    this.batches = new BatchJobs(service.pool, zipLimits);
    this.previewSockets = new PreviewSockets(service.previews);
  }

  /** One request-log line for the studio's event streams (the server passes only lines the log shows). */
  log(entry: RequestLogEntry): void {
    this.streams.broadcast(entry);
  }

  /** Ends the event streams so a stopping server is not held open by them, and removes web mode's temporary files. */
  close(): void {
    this.streams.close();
    this.previewSockets.close();
    this.batches.close();
    // Web mode's imported fonts live in the service's temporary folder.
    if (this.ownsService) this.service.dispose();
  }
}
