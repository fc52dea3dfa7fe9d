/**
 * Web mode's batch zip, written to a file as the images arrive (yazl), so a batch
 * never sits in memory whole. Entries are stored, not deflated: the images are
 * compressed already. Memory stays bounded whatever the batch: `add` waits while
 * more than `maxQueuedBytes` of images are queued for the file, and the streams
 * between yazl and the file pass the disk's backpressure on. Each image's buffer
 * is dropped as soon as it has been handed to the stream (yazl keeps a small
 * record per entry for the central directory, not the data).
 */
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export class ZipFileWriter {
  private readonly zip = new ZipFile();
  private readonly out: WriteStream;
  private readonly when = new Date();
  private queuedBytes = 0;
  private waiters: (() => void)[] = [];
  private failure: Error | null = null;
  private ended = false;

  constructor(
    readonly path: string,
    private readonly maxQueuedBytes = 8 * 1024 * 1024,
  ) {
    // 'wx': a job's file is new; never follow or replace something already there.
    this.out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    const fail = (e: Error) => {
      this.failure ??= e;
      this.wake();
    };
    this.out.on('error', fail);
    this.zip.on('error', fail);
    this.zip.outputStream.on('error', fail);
    this.zip.outputStream.pipe(this.out);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Bytes written to the file so far. */
  get bytesWritten(): number {
    return this.out.bytesWritten;
  }

  /** Queues one file; resolves once the queue is short enough for the next. Throws if writing failed. */
  async add(name: string, bytes: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.ended) throw new Error('zip: already finished');
    let held: Buffer | null = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = held.length;
    this.queuedBytes += size;
    // Lazy: yazl asks for the data when it reaches this entry, after the previous ones are written.
    this.zip.addReadStreamLazy(name, { compress: false, size, mtime: this.when }, (cb) => {
      const data = held!;
      held = null;
      this.queuedBytes -= size;
      this.wake();
      cb(null, Readable.from([data], { objectMode: false }));
    });
    while (this.queuedBytes > this.maxQueuedBytes && !this.failure) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  /** Writes the central directory and closes the file; resolves with the file's size. */
  async finish(): Promise<number> {
    if (this.failure) throw this.failure;
    this.ended = true;
    this.zip.end();
    await finished(this.out);
    if (this.failure) throw this.failure;
    return this.out.bytesWritten;
  }

  /** Stops writing and removes the file (a cancelled or failed batch). */
  abort(): void {
    this.failure ??= new Error('zip: aborted');
    this.wake();
    this.zip.outputStream.unpipe(this.out);
    // The file may still be being opened: remove it again once the stream is closed.
    this.out.once('close', () => rmSync(this.path, { force: true }));
    this.out.destroy();
    rmSync(this.path, { force: true });
  }
}
