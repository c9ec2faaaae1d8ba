/** Model answers for hint generation tests: usable hints of each level (our own words) and garbage. */

const words = (n: number, seed: string) => Array.from({ length: n }, (_, i) => `${seed}${String.fromCharCode(97 + (i % 26))}word`).join(' ');

export const HINT_TEXT = {
  1: '# Change from record 1 to record 2 (pseudocode)\n\n```\noptimizer: AdamW peak learning rate 6e-4 → 9e-4  # the schedule keeps its shape\nwarmup and cosine decay unchanged\n```',
  2: `# A higher learning rate\n\nThe peak learning rate of AdamW goes up while the schedule keeps its shape. ${words(40, 'two')}.`,
  3: `# Faster early progress\n\n**Motivation.** ${words(60, 'mot')}.\n\n**Method.** ${words(60, 'met')}.\n\n**Expected effect.** ${words(50, 'eff')}.`,
} as const;

/** A model's answer holding `text` as the hint, with a sentence around it as models often add. */
export const hintReply = (text: string, usage = { prompt_tokens: 1200, completion_tokens: 300 }) => ({
  content: `Here is the hint.\n<hint>\n${text}\n</hint>\n`,
  usage,
});

export const GARBAGE = {
  noTags: { content: 'asdf qwer zxcv', usage: { prompt_tokens: 1000, completion_tokens: 5 } },
  pastedDiff: hintReply('@@ -1,3 +1,3 @@\n-lr = 6e-4\n+lr = 9e-4\nthe learning rate goes up a lot in this change, from six to nine ten thousandths'),
  symbols: hintReply(`${'{"}}!!@@##$$%%^^&&**(())__++==;;::,,..<<>>??//||'.repeat(3)} ab cd ef gh ij kl mn op qr st uv wx yz ab cd`),
} as const;
