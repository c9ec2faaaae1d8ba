import type { TrackName } from './schema.js';

/**
 * What a track trains on, asked by name wherever a check differs by track (data, doctor, dry run): the NanoGPT
 * tracks read upstream's FineWeb GPT-2 shards and train on GPUs; the tiny track makes its own data and runs on CPU.
 */
export function fineWebTrack(track: string): track is Exclude<TrackName, 'tiny'> {
  return track === 'nanogpt' || track === 'nanogpt-modern';
}

/** A track whose records are written for CUDA GPUs (torchrun, one process per GPU). */
export function trainsOnGpus(track: string): boolean {
  return fineWebTrack(track);
}
