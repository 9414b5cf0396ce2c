/**
 * Cuts off request bodies that arrive slower than a minimum rate, so that a
 * client trickling a byte a second cannot hold a connection and a temporary
 * file forever (slow-loris on the body). A slow but steady upload over a
 * home uplink is far above the floor and is never cut: the rate is measured
 * over a whole window, not per chunk.
 */
import type { IncomingMessage } from 'node:http';

export const MIN_BODY_BYTES_PER_SECOND = 1024;
export const BODY_RATE_WINDOW_MS = 60_000;
const SAMPLE_MS = 5_000;

export interface BodyRateOptions {
  readonly minBytesPerSecond?: number;
  readonly windowMs?: number;
  readonly sampleMs?: number;
}

/**
 * What {@link guardBodyRate} uses when its caller passes no options (the
 * method handlers never do). Tests that run the plugin in-process shorten
 * the window here, so that a slow-loris body is cut within seconds.
 */
export const bodyRateDefaults: { minBytesPerSecond: number; windowMs: number; sampleMs: number } = {
  minBytesPerSecond: MIN_BODY_BYTES_PER_SECOND,
  windowMs: BODY_RATE_WINDOW_MS,
  sampleMs: SAMPLE_MS,
};

/**
 * Watches `req` until the returned function is called; destroys it with an
 * error when fewer than the minimum bytes arrived over the last window.
 */
export function guardBodyRate(req: IncomingMessage, options: BodyRateOptions = {}): () => void {
  const windowMs = options.windowMs ?? bodyRateDefaults.windowMs;
  const sampleMs = options.sampleMs ?? bodyRateDefaults.sampleMs;
  const minBytes = ((options.minBytesPerSecond ?? bodyRateDefaults.minBytesPerSecond) * windowMs) / 1000;
  const windowSamples = Math.max(1, Math.round(windowMs / sampleMs));
  let received = 0;
  const samples: number[] = [0];
  const onData = (chunk: Buffer) => {
    received += chunk.length;
  };
  req.on('data', onData);
  const timer = setInterval(() => {
    samples.push(received);
    if (samples.length <= windowSamples) return;
    samples.shift();
    if (received - samples[0]! < minBytes) {
      stop();
      req.destroy(new Error(`request body slower than ${minBytes} bytes per ${windowMs} ms`));
    }
  }, sampleMs);
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    req.off('data', onData);
  };
  req.once('close', stop);
  return stop;
}
