import { IMAGES, type ImageSpec } from './images.js';

/** The image a record runs in, from the PyTorch its log printed, and why it is not that exact build, if it is not. */
export interface EraImage {
  image: ImageSpec;
  /** Null when the image installs the very release the log printed; else what differs (`approximate-env`). */
  approximate: string | null;
}

/** `2.10.0.dev20251210+cu126`, `2.5.1+cu124`, `2.7.0a0+79aa17489c.nv25.04` as the logs print them. */
const LOGGED = /^(\d+)\.(\d+)\.(\d+)(?:(\.dev\d{8})|(a0\+\S+?))?(?:\+cu(\d+))?$/;

/**
 * The image for a logged torch version: the image of that release, or for a nightly or vendor build (the wheel
 * index no longer has them) the image of the release it led to, or the nearest later one of the same minor version.
 * Null when no image is close (another minor version), so a record is never silently run on a different era.
 */
export function imageForLoggedTorch(logged: string, images: readonly ImageSpec[] = IMAGES): EraImage | null {
  const m = LOGGED.exec(logged.trim());
  if (!m) return null;
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  const prerelease = m[4] ? `nightly ${logged}` : m[5] ? `build ${logged}` : null;
  const candidates = images
    .filter((image) => image.gpu && torchOf(image)?.major === major && torchOf(image)?.minor === minor && torchOf(image)!.patch >= patch)
    .sort((a, b) => torchOf(a)!.patch - torchOf(b)!.patch);
  const image = candidates[0];
  if (!image) return null;
  const release = image.buildArgs.TORCH_VERSION!;
  const reasons: string[] = [];
  if (prerelease) reasons.push(`the log ran ${prerelease}, which the wheel index no longer has; ${release} is the release it led to`);
  else if (release !== `${major}.${minor}.${patch}`) reasons.push(`the log ran ${major}.${minor}.${patch}; the nearest image has ${release}`);
  const loggedCuda = m[6];
  const imageCuda = /nvidia\/cuda:(\d+)\.(\d+)/.exec(image.buildArgs.CUDA_BASE_IMAGE ?? '');
  if (loggedCuda && imageCuda && `${imageCuda[1]}${imageCuda[2]}` !== loggedCuda) {
    reasons.push(`CUDA ${imageCuda[1]}.${imageCuda[2]} where the log's build was CUDA ${loggedCuda.slice(0, -1)}.${loggedCuda.slice(-1)}`);
  }
  return { image, approximate: reasons.length > 0 ? reasons.join('; ') : null };
}

function torchOf(image: ImageSpec): { major: number; minor: number; patch: number } | null {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(image.buildArgs.TORCH_VERSION ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : null;
}
