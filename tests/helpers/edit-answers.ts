import { createTwoFilesPatch, structuredPatch } from 'diff';

/** An LLM-style answer that turns `from` into `to` with SEARCH/REPLACE blocks, one per diff hunk. */
export function searchReplaceAnswer(from: string, to: string, prose = 'I raise the peak learning rate.'): string {
  const patch = structuredPatch('a', 'b', from, to, '', '', { context: 2 });
  const blocks = patch.hunks.map((hunk) => {
    const lines = hunk.lines.filter((l) => !l.startsWith('\\'));
    const search = lines.filter((l) => !l.startsWith('+')).map((l) => l.slice(1));
    const replace = lines.filter((l) => !l.startsWith('-')).map((l) => l.slice(1));
    return ['<<<<<<< SEARCH', ...search, '=======', ...replace, '>>>>>>> REPLACE'].join('\n');
  });
  return `${prose}\n\ntrain_gpt.py\n\`\`\`python\n${blocks.join('\n\n')}\n\`\`\`\n`;
}

/** The same change as a fenced unified diff. */
export function udiffAnswer(from: string, to: string, prose = 'I raise the peak learning rate.'): string {
  return `${prose}\n\n\`\`\`diff\n${createTwoFilesPatch('a/train_gpt.py', 'b/train_gpt.py', from, to, '', '', { context: 3 })}\`\`\`\n`;
}

/** The whole new script in one python fence. */
export function wholeFileAnswer(to: string, prose = 'Here is the full script.'): string {
  return `${prose}\n\n\`\`\`python\n${to}\`\`\`\n`;
}
