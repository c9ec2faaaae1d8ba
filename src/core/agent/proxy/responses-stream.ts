/**
 * A streamed chat completion re-told as the Responses API's server-sent events: response.created, the message item
 * with its output_text deltas as they arrive, the function_call items, then response.completed with the usage.
 * Tool calls go out whole once the stream ends (their pieces only make sense together).
 */
import type { ServerResponse } from 'node:http';
import type { ChatAnswer } from './chat-answer.js';
import { failedResponse, functionCallItem, messageItem, messageItemId, outputText, responseObject, type ResponseMeta } from './responses-output.js';
import { startSse, writeSseData } from './sse.js';

export class ResponsesStreamWriter {
  private sequence = 0;
  private messageOpen = false;
  private messageDone = false;
  private text = '';
  private outputs = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly meta: ResponseMeta,
  ) {}

  start(): void {
    startSse(this.res);
    this.send('response.created', { response: responseObject(this.meta, null) });
    this.send('response.in_progress', { response: responseObject(this.meta, null) });
  }

  /** A piece of the answer's text. */
  textDelta(delta: string): void {
    if (!delta || this.messageDone) return;
    this.openMessage();
    this.text += delta;
    this.send('response.output_text.delta', { item_id: messageItemId(this.meta), output_index: 0, content_index: 0, delta });
  }

  /** The end of the answer: the message item closed, the calls as items, and the whole response. */
  finish(answer: ChatAnswer): void {
    const calls = answer.toolCalls();
    if (!this.messageOpen && calls.length === 0) this.openMessage();
    this.closeMessage();
    calls.forEach((call, index) => {
      const item = functionCallItem(this.meta, index, call);
      const output_index = this.outputs++;
      if (item.type === 'custom_tool_call') {
        this.send('response.output_item.added', { output_index, item: { ...item, input: '', status: 'in_progress' } });
        this.send('response.custom_tool_call_input.delta', { item_id: item.id, output_index, delta: item.input });
        this.send('response.custom_tool_call_input.done', { item_id: item.id, output_index, input: item.input });
      } else {
        this.send('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } });
        this.send('response.function_call_arguments.delta', { item_id: item.id, output_index, delta: call.arguments });
        this.send('response.function_call_arguments.done', { item_id: item.id, output_index, arguments: call.arguments });
      }
      this.send('response.output_item.done', { output_index, item });
    });
    const response = responseObject(this.meta, answer);
    this.send(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
    this.res.end();
  }

  /** The call failed after the stream began: the stream's terminal `response.failed` event, saying why. */
  fail(message: string, code: string): void {
    this.send('response.failed', { response: failedResponse(this.meta, message, code) });
    this.res.end();
  }

  private openMessage(): void {
    if (this.messageOpen) return;
    this.messageOpen = true;
    this.outputs++;
    const item_id = messageItemId(this.meta);
    this.send('response.output_item.added', { output_index: 0, item: messageItem(this.meta, '', 'in_progress') });
    this.send('response.content_part.added', { item_id, output_index: 0, content_index: 0, part: outputText('') });
  }

  private closeMessage(): void {
    if (!this.messageOpen || this.messageDone) return;
    this.messageDone = true;
    const item_id = messageItemId(this.meta);
    this.send('response.output_text.done', { item_id, output_index: 0, content_index: 0, text: this.text });
    this.send('response.content_part.done', { item_id, output_index: 0, content_index: 0, part: outputText(this.text) });
    this.send('response.output_item.done', { output_index: 0, item: messageItem(this.meta, this.text, 'completed') });
  }

  private send(type: string, fields: Record<string, unknown>): void {
    writeSseData(this.res, { type, sequence_number: this.sequence++, ...fields }, type);
  }
}
