/**
 * Streaming parser for the run output of NanoGPT speedrun scripts (docs/architecture.md, "Measurement"), usable on a live log.
 *
 * Formats understood, all eras mixed freely:
 *   step:N/M val_loss:X train_time:Tms step_avg:Ams            modded-nanogpt validation line
 *   step:N/M train_loss:X train_time:Tms step_avg:Ams          train line, early records
 *   step:N/M train_time:Tms step_avg:Ams                       train line, later records (no loss)
 *   step:N/M val_loss:X train_time:Tms                         llm-speedrunner copies of records 1–3
 *   s:N tel:X   /   s:N trl:X lr:.. norm:..   /   s:N eval:X   llm.c (no train_time; eval is HellaSwag, ignored)
 * Every other line is noise and ignored. A line of exactly 100 '=' ends the script's own source in upstream
 * log files: everything collected before it is dropped, so only the text after the last one counts.
 * Bad input never throws: malformed or truncated lines become warnings with their line numbers.
 */

export interface ValPoint {
  step: number;
  total_steps: number | null;
  val_loss: number;
  /** The script's own clock; null in llm.c logs, which print none. */
  train_time_ms: number | null;
}

export interface TrainPoint {
  step: number;
  total_steps: number | null;
  /** Null in the later eras that print no train loss. */
  train_loss: number | null;
  train_time_ms: number | null;
}

/** A place where the script's train_time went backwards between two consecutive timed lines. */
export interface TimeRegression {
  line: number;
  step: number;
  from_ms: number;
  to_ms: number;
  /**
   * True for the one reset upstream scripts make on purpose after their untimed warm-up steps (the line before
   * still printed step_avg:nanms, or, in formats without step_avg, it happens within the first 20 steps).
   */
  warmup_reset: boolean;
}

export interface ParsedLog {
  /** Validation points in output order. */
  points: ValPoint[];
  /** The last validation line, or null when there is none. */
  final: ValPoint | null;
  train_points_count: number;
  last_train: TrainPoint | null;
  time_regressions: TimeRegression[];
  /** Each starts with "line N:" where a line is to blame. */
  warnings: string[];
  /** Complete lines read, separators and source included. */
  lines: number;
  /** First line of the output that counts: 1, or the line after the last 100-'=' separator. */
  output_start_line: number;
}

export type LogEvent =
  | { kind: 'val'; line: number; point: ValPoint }
  | { kind: 'train'; line: number; point: TrainPoint }
  /** A separator line: everything collected so far was the script's source and is dropped. */
  | { kind: 'reset'; line: number }
  | { kind: 'warning'; line: number; message: string };

export const SOURCE_SEPARATOR = '='.repeat(100);

/** Keeps a diverged or garbled log from producing megabytes of warnings. */
const MAX_WARNINGS = 200;
/** Formats without step_avg: a train_time reset this early is taken as the warm-up reset. */
const WARMUP_RESET_MAX_STEP = 20;

type Fields = Map<string, string>;

export class LogParser {
  private buffer = '';
  private lineNo = 0;
  private ended = false;
  private state = freshState(1);

  /** Feeds a chunk of output (any split, even mid-line); returns the events of the lines it completed. */
  push(chunk: string): LogEvent[] {
    if (this.ended) throw new Error('LogParser.push() called after end()');
    const events: LogEvent[] = [];
    const text = this.buffer + chunk;
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.handleLine(text.slice(start, newline), false, events);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.buffer = text.slice(start);
    return events;
  }

  /** Flushes a last line that has no line end. Further pushes are a bug. */
  end(): LogEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const events: LogEvent[] = [];
    if (this.buffer.length > 0) {
      const rest = this.buffer;
      this.buffer = '';
      this.handleLine(rest, true, events);
    }
    return events;
  }

  /** A snapshot of what the output so far says; callable at any time on a live log. */
  result(): ParsedLog {
    const s = this.state;
    const warnings = [...s.warnings];
    if (s.nonFiniteTrain.count > 1) {
      warnings.push(`train_loss was not finite on ${s.nonFiniteTrain.count} lines (first at line ${s.nonFiniteTrain.firstLine})`);
    }
    if (s.droppedWarnings > 0) warnings.push(`${s.droppedWarnings} further warnings not shown`);
    return {
      points: [...s.points],
      final: s.points.at(-1) ?? null,
      train_points_count: s.trainCount,
      last_train: s.lastTrain,
      time_regressions: [...s.regressions],
      warnings,
      lines: this.lineNo,
      output_start_line: s.outputStart,
    };
  }

  private handleLine(raw: string, unterminated: boolean, events: LogEvent[]): void {
    this.lineNo += 1;
    // A lone '\r' (progress bars) overwrites the terminal line: treat each segment as its own text.
    for (const segment of raw.split('\r')) this.handleSegment(segment, unterminated, events);
  }

  private handleSegment(segment: string, unterminated: boolean, events: LogEvent[]): void {
    const line = this.lineNo;
    if (segment.trimEnd() === SOURCE_SEPARATOR) {
      this.state = freshState(line + 1);
      events.push({ kind: 'reset', line });
      return;
    }
    const text = segment.trim();
    let handled: boolean;
    if (text.startsWith('step:')) handled = this.stepLine(text, events);
    else if (/^s:\d/.test(text)) handled = this.llmcLine(text, events);
    else return; // noise: headers, nvidia-smi, parameter tables, peak memory, warm-up chatter
    // Without a line end, only a last field with its own unit (…ms) shows the line was printed in full.
    if (handled && unterminated && !text.endsWith('ms')) {
      this.warn(events, `the log ends without a line end; its last line may be truncated: "${clip(text)}"`);
    }
  }

  private stepLine(text: string, events: LogEvent[]): boolean {
    const head = /^step:(\d+)(?:\/(\d+))?(?:\s+(.*))?$/.exec(text);
    if (!head) return this.malformed(events, text, 'expected step:N/M followed by key:value fields');
    const step = Number(head[1]);
    const total = head[2] === undefined ? null : Number(head[2]);
    const fields = parseFields(head[3] ?? '');
    if (typeof fields === 'string') return this.malformed(events, text, fields);

    const time = readMs(fields, 'train_time');
    const avg = readMs(fields, 'step_avg');
    const val = readLoss(fields, 'val_loss');
    const trainLoss = readLoss(fields, 'train_loss');
    if (time === 'invalid') return this.malformed(events, text, 'train_time is not a number of ms');
    if (avg === 'invalid') return this.malformed(events, text, 'step_avg is not a number of ms');
    if (val === 'invalid') return this.malformed(events, text, 'val_loss is not a number');
    if (trainLoss === 'invalid') return this.malformed(events, text, 'train_loss is not a number');
    if (val === undefined && trainLoss === undefined && time === undefined) {
      return this.malformed(events, text, 'no val_loss, train_loss or train_time');
    }
    const trainTime = this.checkedTime(time, step, events);
    this.trackClock(step, trainTime, avg);

    if (val !== undefined) {
      if (!Number.isFinite(val)) this.warn(events, `val_loss is ${val} at step ${step}`);
      if (time === undefined) this.warn(events, `validation line at step ${step} has no train_time`);
      this.addVal({ step, total_steps: total, val_loss: val, train_time_ms: trainTime }, events);
    } else {
      if (trainLoss !== undefined && !Number.isFinite(trainLoss)) this.nonFiniteTrainLoss(trainLoss, step, events);
      this.addTrain({ step, total_steps: total, train_loss: trainLoss ?? null, train_time_ms: trainTime }, events);
    }
    return true;
  }

  private llmcLine(text: string, events: LogEvent[]): boolean {
    const head = /^s:(\d+)(?:\s+(.*))?$/.exec(text);
    if (!head) return this.malformed(events, text, 'expected s:N followed by key:value fields');
    const step = Number(head[1]);
    const fields = parseFields(head[2] ?? '');
    if (typeof fields === 'string') return this.malformed(events, text, fields);
    const val = readLoss(fields, 'tel');
    const train = readLoss(fields, 'trl');
    if (val === 'invalid') return this.malformed(events, text, 'tel is not a number');
    if (train === 'invalid') return this.malformed(events, text, 'trl is not a number');
    if (val !== undefined) {
      if (!Number.isFinite(val)) this.warn(events, `val_loss (tel) is ${val} at step ${step}`);
      this.addVal({ step, total_steps: null, val_loss: val, train_time_ms: null }, events);
    } else if (train !== undefined) {
      if (!Number.isFinite(train)) this.nonFiniteTrainLoss(train, step, events);
      this.addTrain({ step, total_steps: null, train_loss: train, train_time_ms: null }, events);
    } else if (!fields.has('eval')) {
      return this.malformed(events, text, 'no tel, trl or eval value');
    }
    return true;
  }

  private checkedTime(time: number | undefined, step: number, events: LogEvent[]): number | null {
    if (time === undefined) return null;
    if (!Number.isFinite(time) || time < 0) {
      this.warn(events, `train_time is ${time} ms at step ${step}; ignored`);
      return null;
    }
    return time;
  }

  private trackClock(step: number, time: number | null, avg: number | undefined): void {
    if (time === null) return;
    const s = this.state;
    if (s.prevTime !== null && time < s.prevTime && s.regressions.length < MAX_WARNINGS) {
      const warmup = s.regressions.every((r) => !r.warmup_reset) && (s.prevAvgNaN || step <= WARMUP_RESET_MAX_STEP);
      s.regressions.push({ line: this.lineNo, step, from_ms: s.prevTime, to_ms: time, warmup_reset: warmup });
    }
    s.prevTime = time;
    s.prevAvgNaN = avg !== undefined && Number.isNaN(avg);
  }

  private addVal(point: ValPoint, events: LogEvent[]): void {
    this.state.points.push(point);
    events.push({ kind: 'val', line: this.lineNo, point });
  }

  private addTrain(point: TrainPoint, events: LogEvent[]): void {
    this.state.trainCount += 1;
    this.state.lastTrain = point;
    events.push({ kind: 'train', line: this.lineNo, point });
  }

  private nonFiniteTrainLoss(value: number, step: number, events: LogEvent[]): void {
    const seen = this.state.nonFiniteTrain;
    seen.count += 1;
    if (seen.count === 1) {
      seen.firstLine = this.lineNo;
      this.warn(events, `train_loss is ${value} at step ${step}`);
    }
  }

  private malformed(events: LogEvent[], text: string, why: string): boolean {
    this.warn(events, `malformed log line (${why}): "${clip(text)}"`);
    return false;
  }

  private warn(events: LogEvent[], message: string): void {
    const full = `line ${this.lineNo}: ${message}`;
    events.push({ kind: 'warning', line: this.lineNo, message: full });
    if (this.state.warnings.length < MAX_WARNINGS) this.state.warnings.push(full);
    else this.state.droppedWarnings += 1;
  }
}

/** Parses a whole log at once. */
export function parseLog(text: string): ParsedLog {
  const parser = new LogParser();
  parser.push(text);
  parser.end();
  return parser.result();
}

function freshState(outputStart: number) {
  return {
    outputStart,
    points: [] as ValPoint[],
    trainCount: 0,
    lastTrain: null as TrainPoint | null,
    regressions: [] as TimeRegression[],
    warnings: [] as string[],
    droppedWarnings: 0,
    nonFiniteTrain: { count: 0, firstLine: 0 },
    prevTime: null as number | null,
    prevAvgNaN: false,
  };
}

/** "key:value key:value" → map, or the reason it is not that shape. Unknown keys are kept and ignored later. */
function parseFields(rest: string): Fields | string {
  const fields: Fields = new Map();
  for (const token of rest.split(/\s+/)) {
    if (token === '') continue;
    const m = /^([A-Za-z_]\w*):(.+)$/.exec(token);
    if (!m) return `unexpected text "${clip(token)}"`;
    const [, key, value] = m;
    if (key !== undefined && value !== undefined && !fields.has(key)) fields.set(key, value);
  }
  return fields;
}

function readLoss(fields: Fields, key: string): number | undefined | 'invalid' {
  const raw = fields.get(key);
  if (raw === undefined) return undefined;
  return parseNumber(raw) ?? 'invalid';
}

function readMs(fields: Fields, key: string): number | undefined | 'invalid' {
  const raw = fields.get(key);
  if (raw === undefined) return undefined;
  if (!raw.endsWith('ms')) return 'invalid';
  return parseNumber(raw.slice(0, -2)) ?? 'invalid';
}

/** Python's float printing, nan and inf included. */
export function parseNumber(raw: string): number | undefined {
  const t = raw.toLowerCase();
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (/^\+?inf(inity)?$/.test(t)) return Infinity;
  if (/^-inf(inity)?$/.test(t)) return -Infinity;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(t);
  return undefined;
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
