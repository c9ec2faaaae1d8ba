import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/**
 * The single-page app's files, shipped in the package's view/ folder (plain JS and CSS: no build step, no CDN). The
 * server and the bundle serve exactly these names and nothing else from the package.
 */
export const VIEW_ASSETS = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
} as const;
export type ViewAsset = keyof typeof VIEW_ASSETS;

export function readViewAsset(name: ViewAsset): Promise<string> {
  return readFile(join(packageRoot, 'view', name), 'utf8');
}

/** index.html for a mode: `server` reads data from /api/, `bundle` from data/*.js files beside it (docs/view.md). */
export async function viewPage(mode: 'server' | 'bundle'): Promise<string> {
  return (await readViewAsset('index.html')).replace('data-mode="server"', `data-mode="${mode}"`);
}
