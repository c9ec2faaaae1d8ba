import { useInput, useStdin, type Key } from 'ink';

/**
 * useInput that only listens where raw mode exists: without a TTY (piped output, CI) ink throws when a hook asks
 * for raw mode, and the screens must still render there. `enabled` lets a screen hand the keyboard to an overlay.
 */
export function useKeys(handler: (input: string, key: Key) => void, enabled = true): void {
  const { isRawModeSupported } = useStdin();
  useInput(handler, { isActive: isRawModeSupported === true && enabled });
}
