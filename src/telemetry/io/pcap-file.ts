// Streaming capture file reader (I/O shell): reads a pcap/pcapng file in fixed-size chunks and
// hands the packets of each chunk to a callback, so a capture of any size is read in bounded
// memory (one chunk plus at most one unfinished record).
import { open } from 'node:fs/promises';
import type { DecodeError } from '../../lib/result.js';
import { type CaptureFormat, CaptureParser, type CapturedPacket } from '../pcap/capture-parser.js';

export interface CaptureFileOptions {
  /** Bytes read per chunk (default 1 MiB). */
  readonly chunkBytes?: number;
}

export interface CaptureFileSummary {
  readonly format: CaptureFormat;
  readonly packets: number;
  readonly bytes: number;
  /** Where and why reading stopped early, if it did. */
  readonly error?: DecodeError;
}

/**
 * Read `path` chunk by chunk; `onPackets` gets each chunk's packets (their data are views into
 * that chunk, valid after the callback returns). Resolves with a summary; a malformed capture is
 * a summary with an error, a missing or unreadable file rejects.
 */
export async function streamCaptureFile(path: string, onPackets: (packets: CapturedPacket[]) => void | Promise<void>, options: CaptureFileOptions = {}): Promise<CaptureFileSummary> {
  const batches = readCaptureFileBatches(path, options);
  for (;;) {
    const next = await batches.next();
    if (next.done) return next.value;
    try {
      await onPackets(next.value);
    } catch (e) {
      await batches.throw(e).catch(() => undefined); // the reader's finally closes the file
      throw e;
    }
  }
}

/** The packets of `path` as an async iterator of batches (one per chunk that completes any); returns the summary. */
export async function* readCaptureFileBatches(path: string, options: CaptureFileOptions = {}): AsyncGenerator<CapturedPacket[], CaptureFileSummary> {
  const chunkBytes = Math.max(4096, options.chunkBytes ?? 1024 * 1024);
  const parser = new CaptureParser();
  const fh = await open(path, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const chunk = new Uint8Array(chunkBytes);
      const { bytesRead } = await fh.read(chunk, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const packets = parser.push(chunk.subarray(0, bytesRead));
      if (packets.length > 0) yield packets;
      if (parser.error) break;
    }
  } finally {
    await fh.close();
  }
  const error = parser.finish();
  return { format: parser.format, packets: parser.packetCount, bytes, ...(error ? { error } : {}) };
}
