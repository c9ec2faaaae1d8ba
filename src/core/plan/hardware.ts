import { cpus, totalmem } from 'node:os';
import type { TrackManifest } from '../catalog/schema.js';
import type { PythonWithTorch } from '../exec/python.js';

/** The machine the local executor trains on, in words for the agent's prompt. */
export function describeHardware(manifest: TrackManifest, python: PythonWithTorch): string {
  const cores = cpus();
  const cpu = `${cores.length} CPU cores (${cores[0]?.model.trim() ?? 'unknown model'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM`;
  return `${cpu}, PyTorch ${python.torchVersion}; the track's records were timed on ${manifest.reference_hardware}`;
}
