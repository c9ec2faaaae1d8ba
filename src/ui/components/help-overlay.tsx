import { Box, Text } from 'ink';

/** The run screen's keys; shown over the panes on `?`. */
export const RUN_KEYS: Array<[string, string]> = [
  ['↑/↓', 'select a node'],
  ['enter', 'detail: the selected node full width'],
  ['d', 'diff of the selected node'],
  ['l', 'log tail of the selected node'],
  ['a', "the agent's answer as it writes it"],
  ['PgUp/PgDn', 'scroll the diff, log or answer'],
  ['p', 'pause / resume (nodes in flight go on)'],
  ['e', 'edit the selected node yourself ($EDITOR)'],
  ['q', 'quit, leaving a resumable run'],
  ['r', 'results (when the run has finished)'],
  ['?', 'this help'],
];

export function HelpOverlay() {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {RUN_KEYS.map(([key, what]) => (
        <Text key={key}>
          <Text bold>{key.padEnd(10)}</Text>
          {what}
        </Text>
      ))}
      <Text dimColor>? or esc closes</Text>
    </Box>
  );
}
