/** Markdown code fences in a model's answer: ```lang … ``` (or ~~~), as CommonMark reads them. */

export interface FencedBlock {
  /** the info string's first word, lower-cased ('' when unlabelled) */
  label: string;
  lines: string[];
  /** 1-based line of the opening fence in the answer */
  line: number;
}

export interface FenceScan {
  blocks: FencedBlock[];
  /** a block opened but never closed: the answer was probably cut off */
  unclosed?: FencedBlock;
}

const OPENING = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const CLOSING = /^ {0,3}(`{3,}|~{3,})\s*$/;

export function findFencedBlocks(text: string): FenceScan {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  let open: { fence: string; block: FencedBlock } | undefined;
  for (const [i, line] of lines.entries()) {
    if (open) {
      const close = CLOSING.exec(line);
      // A closing fence uses the opening's character, at least as many of them.
      if (close && close[1]![0] === open.fence[0] && close[1]!.length >= open.fence.length) {
        blocks.push(open.block);
        open = undefined;
      } else {
        open.block.lines.push(line);
      }
      continue;
    }
    const opening = OPENING.exec(line);
    if (opening) open = { fence: opening[1]!, block: { label: opening[2]!.toLowerCase(), lines: [], line: i + 1 } };
  }
  return open ? { blocks, unclosed: open.block } : { blocks };
}
