import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { formatTime } from '../../core/format-time.js';
import type { SetupCatalog, SetupChoices, TuiController } from '../controller.js';
import { FIELD_LABELS, fieldText, initialChoices, missingChoice, stepField, typeInto, visibleFields, type TextField } from '../state/setup-form.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { fit } from '../format.js';
import { tint } from '../color.js';

interface SetupScreenProps {
  controller: TuiController;
  catalog: SetupCatalog;
  /** controller.lastChoices(), loaded by the app. */
  last: Partial<SetupChoices>;
  /** From the command line's flags; they win over the last choices. */
  flags: Partial<SetupChoices>;
  onStart: (choices: SetupChoices) => void;
  onCancel: () => void;
}

/** What typing does on a text field, for the key line. */
const TYPING_HINT: Partial<Record<string, string>> = { model: ' · type a model id', agentCmd: ' · type the command' };

function isText(field: string): field is TextField {
  return field === 'model' || field === 'agentCmd';
}

/** Lines of hint text shown under the form; the full hint goes to the agent. */
const PREVIEW_LINES = 5;

/** Choose what to run: ↑/↓ between fields, ←/→ through a field's values, enter starts, esc leaves. */
export function SetupScreen({ controller, catalog, last, flags, onStart, onCancel }: SetupScreenProps) {
  const { columns } = useTerminalSize();
  const [choices, setChoices] = useState<SetupChoices>(() => initialChoices(catalog, last, flags));
  const [cursor, setCursor] = useState(0);
  const [preview, setPreview] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fields = visibleFields(choices);
  const field = fields[Math.min(cursor, fields.length - 1)] ?? 'track';
  const hasTracks = catalog.tracks.length > 0;

  useEffect(() => {
    if (!hasTracks || choices.hint === 'none') {
      setPreview(null);
      return;
    }
    let current = true;
    setPreview('loading…');
    controller.hintPreview(choices.track, choices.record, choices.hint).then(
      (text) => current && setPreview(text),
      (err: unknown) => current && setPreview(`(no preview: ${err instanceof Error ? err.message : String(err)})`),
    );
    return () => {
      current = false;
    };
  }, [controller, hasTracks, choices.track, choices.record, choices.hint]);

  const start = () => {
    const missing = missingChoice(choices);
    if (missing) return setError(missing);
    setError(null);
    setStarting(true);
    controller.saveChoices(choices).then(
      () => onStart(choices),
      (err: unknown) => {
        // Not remembering the choices is no reason to refuse the run.
        setError(`could not save these choices for next time: ${err instanceof Error ? err.message : String(err)}`);
        onStart(choices);
      },
    );
  };

  useKeys((input, key) => {
    if (key.escape) return onCancel();
    if (!hasTracks) return;
    if (key.upArrow) setCursor((c) => Math.max(0, Math.min(c, fields.length - 1) - 1));
    else if (key.downArrow) setCursor((c) => Math.min(fields.length - 1, c + 1));
    else if (key.leftArrow) setChoices((c) => stepField(catalog, c, field, -1));
    else if (key.rightArrow) setChoices((c) => stepField(catalog, c, field, 1));
    else if (key.return) start();
    else if (isText(field) && (key.backspace || key.delete)) setChoices((c) => typeInto(c, field, '', true));
    else if (isText(field) && input && !key.ctrl && !key.meta) setChoices((c) => typeInto(c, field, input, false));
  }, !starting);

  if (!hasTracks) {
    return (
      <Box flexDirection="column">
        <Text color={tint('red')}>The catalog has no tracks, so there is nothing to run.</Text>
        <Text>Fetch the records first: speedrun records sync (then start speedrun again). esc leaves.</Text>
      </Box>
    );
  }

  const track = catalog.tracks.find((t) => t.name === choices.track);
  const record = track?.records.find((r) => r.number === choices.record);
  const width = Math.max(40, columns);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>speedrun · new run</Text>
      {fields.map((name, i) => (
        <Text key={name} inverse={i === cursor} wrap="truncate">
          {`${i === cursor ? '›' : ' '} ${FIELD_LABELS[name].padEnd(14)} ${i === cursor ? '◂ ' : '  '}${fieldText(choices, name)}${i === cursor ? ' ▸' : ''}`}
        </Text>
      ))}
      <Box flexDirection="column" marginTop={1}>
        {track && <Text wrap="truncate">{fit(`${track.title} · target val_loss ${track.target_val_loss}`, width)}</Text>}
        {record && <Text wrap="truncate">{fit(`record #${record.number} (${formatTime(record.time_ms)}): ${record.description}`, width)}</Text>}
        {preview !== null && (
          <Box flexDirection="column" marginTop={1}>
            <Text dimColor>{`hint ${choices.hint}:`}</Text>
            {preview
              .split('\n')
              .slice(0, PREVIEW_LINES)
              .map((line, i) => (
                <Text key={i} wrap="truncate">
                  {fit(line, width)}
                </Text>
              ))}
          </Box>
        )}
      </Box>
      {error && <Text color={tint('red')}>{fit(error, width)}</Text>}
      <Text dimColor wrap="truncate">
        {starting ? 'starting…' : fit(`↑/↓ field · ←/→ value${TYPING_HINT[field] ?? ''} · enter start · esc leave`, width)}
      </Text>
    </Box>
  );
}
