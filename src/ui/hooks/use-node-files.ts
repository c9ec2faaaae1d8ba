import { useEffect, useState } from 'react';
import type { NodeFiles, TuiController } from '../controller.js';

/**
 * The selected node's diff and saved log, fetched when the selection changes and again when the node's status does
 * (a finished node has its full diff and log on disk). Stale answers for an earlier selection are dropped.
 */
export function useNodeFiles(
  controller: TuiController,
  runDir: string | null,
  node: number | null,
  status: string | null,
): { files: NodeFiles | null; error: string | null } {
  const [state, setState] = useState<{ files: NodeFiles | null; error: string | null }>({ files: null, error: null });
  useEffect(() => {
    if (runDir === null || node === null) return;
    let current = true;
    setState({ files: null, error: null });
    controller.nodeFiles(runDir, node).then(
      (files) => current && setState({ files, error: null }),
      (err: unknown) => current && setState({ files: null, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      current = false;
    };
  }, [controller, runDir, node, status]);
  return state;
}
