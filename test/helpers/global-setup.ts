import { ensureWheelhouse } from './wheelhouse.js';

export default async function setup(): Promise<void> {
  await ensureWheelhouse();
}
