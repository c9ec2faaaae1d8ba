/** The body rows of the markdown table under a `## title` heading (the header row left out), cells as text. */
export function markdownRows(md: string, title: string): string[][] {
  const section = md.split(`## ${title}\n`)[1]!.split('\n## ')[0]!;
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))
    .slice(1)
    .map((l) => l.slice(2, -2).split(' | '));
}

/** Rows of an HTML table by id, cells unescaped. */
export function htmlRows(html: string, id: string): string[][] {
  const table = html.split(`<table id="table-${id}">`)[1]!.split('</table>')[0]!;
  const body = table.split('<tbody>')[1]!;
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) =>
    [...m[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) =>
      c[1]!
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    ),
  );
}
