/**
 * The plugin's entry: what a host imports after reading manifest.json.
 */
import type { Host } from './host-api.js';
import { Activation } from './activation.js';

export { HOST_API_VERSION } from './host-api.js';

let current: Activation | null = null;

export async function activate(host: Host): Promise<void> {
  if (current) await deactivate();
  current = await Activation.start(host);
}

/** Stops every timer and listener this activation started; groups and data stay. */
export async function deactivate(): Promise<void> {
  const activation = current;
  current = null;
  if (!activation) return;
  activation.stop();
  await activation.settled();
}
