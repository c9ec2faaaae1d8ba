// speedrun view: the single-page app over results folders (docs/view.md). Plain browser JavaScript, no framework and
// no network beyond its own server: data comes from /api/<key> (speedrun view) or from data/<key>.js scripts beside
// index.html (the --bundle static site, which works from file:// where fetch() of files is refused).
// Every text from a results folder is set as textContent, never as HTML.
'use strict';

(() => {
  const MODE = document.documentElement.dataset.mode;
  const app = document.getElementById('app');
  const crumbs = document.getElementById('crumbs');
  const cache = new Map();

  /** The data of a key (index, run/<b>/<r>, node/<b>/<r>/<n>), loaded once and kept. */
  function load(key) {
    if (!cache.has(key)) {
      const pending = MODE === 'bundle' ? loadScript(key) : loadApi(key);
      pending.catch(() => cache.delete(key));
      cache.set(key, pending);
    }
    return cache.get(key);
  }

  async function loadApi(key) {
    const res = await fetch(`api/${key}`);
    const body = await res.json().catch(() => ({ error: res.statusText }));
    if (!res.ok) throw new Error(body.error || `${res.status}`);
    return body;
  }

  function loadScript(key) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = `data/${key}.js`;
      script.onload = () => {
        const data = (window.SPEEDRUN_VIEW_DATA || {})[key];
        if (data === undefined) reject(new Error(`data/${key}.js holds no data`));
        else resolve(data);
      };
      script.onerror = () => reject(new Error(`not in this bundle: ${key}`));
      document.head.append(script);
    });
  }

  /** A DOM element: h('a', { href: '#/' }, 'text', child, …); strings become text nodes. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') el.className = value;
      else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const route = (...parts) => `#/${parts.map(encodeURIComponent).join('/')}`;
  const fmt = (x, digits = 3) => (x === null || x === undefined ? '—' : Number(x).toFixed(digits));
  const seconds = (ms) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
  const money = (usd) => (usd === null || usd === undefined ? '—' : `$${usd.toFixed(4)}`);

  /** FSR as a coloured chip: red at 0 or below, green at 1 and above; grey when there is none. */
  function fsrChip(value) {
    if (value === null || value === undefined) return h('span', { class: 'fsr', style: 'background:#e8eaed' }, '—');
    const t = Math.max(0, Math.min(1, value));
    return h('span', { class: 'fsr', style: `background:hsl(${Math.round(t * 120)},65%,${value > 1 ? 62 : 80}%)`, title: `FSR ${value}` }, fmt(value));
  }

  /** ✓ verified, ⚑ flagged, ✗ rejected: what the index row says about how far its score can be trusted. */
  function marks(row) {
    const out = [];
    if (row.verification === 'verified' || row.verification === 'baseline')
      out.push(h('span', { class: 'mark-verified', title: `verification: ${row.verification}` }, ' ✓'));
    if (row.verification === 'unverified') out.push(h('span', { class: 'mark-rejected', title: 'the re-run did not reproduce the speedup' }, ' ✗'));
    const flagged = row.flagged_best || row.integrity.flagged.length > 0 || row.fsr_flags.length > 0;
    if (flagged) {
      const why = [...row.fsr_flags, ...(row.flagged_best ? [`node ${row.flagged_best.node} faster but flagged: ${row.flagged_best.flags.join('; ')}`] : [])];
      out.push(h('span', { class: 'mark-flagged', title: why.join('\n') || `flagged nodes: ${row.integrity.flagged.join(', ')}` }, ' ⚑'));
    }
    return out;
  }

  function setCrumbs(...items) {
    crumbs.replaceChildren(...items.map(([text, href]) => (href ? h('a', { href }, text) : h('span', {}, text))));
  }

  function show(page, ...content) {
    app.replaceChildren(h('div', { class: `page page-${page}` }, content));
    document.body.dataset.page = page;
    document.body.dataset.ready = '1';
  }

  function facts(pairs) {
    return h(
      'div',
      { class: 'facts' },
      pairs.filter(Boolean).map(([label, value]) => h('div', {}, h('b', {}, label), value)),
    );
  }

  // ---- pages ----

  async function benchesPage() {
    const index = await load('index');
    setCrumbs();
    const rows = index.benches.map((b) => {
      const scored = b.runs.filter((r) => r.fsr !== null);
      const mean = scored.length ? scored.reduce((s, r) => s + r.fsr, 0) / scored.length : null;
      const damaged = b.runs.filter((r) => r.damaged).length;
      return h(
        'tr',
        {},
        h('td', {}, h('a', { href: route('bench', b.id), class: 'bench-link' }, b.title)),
        h('td', { class: 'num' }, b.runs.length),
        h('td', { class: 'num' }, scored.length),
        h('td', {}, fsrChip(mean)),
        h('td', { class: damaged ? 'damaged' : 'muted' }, damaged || '0'),
      );
    });
    show(
      'benches',
      h('h1', {}, 'Benches'),
      index.benches.length === 0
        ? h('p', { class: 'muted' }, 'No run folder under the results folders given.')
        : h(
            'table',
            {},
            h(
              'tr',
              {},
              ['bench', 'runs', 'scored', 'mean FSR', 'damaged'].map((t) => h('th', {}, t)),
            ),
            rows,
          ),
    );
  }

  const agentLabel = (r) => (r.model && r.model !== r.agent ? `${r.agent} (${r.model})` : r.agent || '?');

  /** A chain bench's steps in order: where each started (and whether that checks out), its start time and FSR. */
  function chainSection(chain, benchId) {
    if (!chain) return null;
    if (chain.error) return h('p', { class: 'damaged', id: 'chain' }, `chain: ${chain.error}`);
    return [
      h('h2', {}, `Chain (${chain.steps.length} steps)`),
      h(
        'table',
        { id: 'chain' },
        h(
          'tr',
          {},
          ['step', 'task', 'started from', 'start time', 'best', 'FSR', 'status'].map((t) => h('th', {}, t)),
        ),
        chain.steps.map((st) =>
          h(
            'tr',
            {},
            h('td', { class: 'num' }, st.step),
            h('td', {}, h('a', { href: route('run', benchId, st.run) }, `record ${st.record} → ${st.record + 1}`)),
            h('td', { title: `sha256 ${st.start.sha256}${st.start.file ? `, ${st.start.file}` : ''}` }, st.start_text),
            h('td', { class: 'num' }, seconds(st.start_ms)),
            h('td', {}, st.best ? `#${st.best.node} (${seconds(st.best.train_time_ms)})` : '—'),
            h('td', {}, fsrChip(st.fsr)),
            h('td', {}, st.status),
          ),
        ),
      ),
      chain.problems.map((p) => h('p', { class: 'damaged' }, `${p.file}: ${p.reason}`)),
    ];
  }

  async function benchPage(benchId) {
    const index = await load('index');
    const bench = index.benches.find((b) => b.id === benchId);
    if (!bench) throw new Error(`no bench ${benchId}`);
    const chain = bench.spec && bench.spec.chain ? await load(`chain/${benchId}`).catch((error) => ({ error: String(error.message || error) })) : null;
    setCrumbs(['benches', '#/'], [bench.title]);
    const runs = bench.runs.filter((r) => !r.damaged);
    const rowKeys = unique(runs.map((r) => `r${r.record} · ${r.hint}`));
    const colKeys = unique(runs.map((r) => `${agentLabel(r)} · ${r.scaffold}`));
    const head = h(
      'tr',
      {},
      h('th', {}, 'record · hint'),
      colKeys.map((c) => h('th', {}, c)),
    );
    const body = rowKeys.map((rk) =>
      h(
        'tr',
        {},
        h('th', {}, rk),
        colKeys.map((ck) =>
          h(
            'td',
            {},
            runs
              .filter((r) => `r${r.record} · ${r.hint}` === rk && `${agentLabel(r)} · ${r.scaffold}` === ck)
              .map((r) =>
                h(
                  'a',
                  { class: 'cell-run', href: route('run', bench.id, r.id), title: `${r.run_id || r.id}: ${r.status}` },
                  fsrChip(r.fsr),
                  ` s${r.seed ?? '?'}`,
                  r.status === 'finished' ? '' : ` (${r.status})`,
                  marks(r),
                ),
              ),
          ),
        ),
      ),
    );
    const damaged = bench.runs.filter((r) => r.damaged);
    show(
      'bench',
      h('h1', {}, bench.title),
      bench.manifest_error ? h('p', { class: 'damaged' }, bench.manifest_error) : null,
      h('p', { class: 'muted' }, `${bench.runs.length} runs. FSR colour: red at 0, green at 1. ✓ verified · ⚑ flagged for review · ✗ did not reproduce.`),
      chainSection(chain, bench.id),
      runs.length ? h('table', { id: 'matrix' }, head, body) : h('p', { class: 'muted' }, 'No readable run.'),
      damaged.length
        ? [
            h('h2', {}, 'Damaged runs'),
            h(
              'ul',
              { id: 'damaged' },
              damaged.map((r) =>
                h('li', { class: 'damaged' }, h('a', { href: route('run', bench.id, r.id) }, r.id), `: ${r.damaged.file}: ${r.damaged.reason}`),
              ),
            ),
          ]
        : null,
    );
  }

  function unique(list) {
    return [...new Set(list)].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  }

  /** Nodes in tree order (each after its parent), with their depth. */
  function treeOrder(nodes) {
    const children = new Map();
    for (const n of nodes) {
      const key = n.parent === null || n.parent === undefined || !nodes.some((m) => m.node === n.parent) ? 'root' : n.parent;
      if (!children.has(key)) children.set(key, []);
      children.get(key).push(n);
    }
    const out = [];
    const walk = (key, depth) => {
      for (const n of children.get(key) || []) {
        out.push([n, depth]);
        walk(n.node, depth + 1);
      }
    };
    walk('root', 0);
    return out;
  }

  /** The best-so-far FSR after each node as a small line chart (SVG). */
  function fsrCurve(values) {
    const width = 520;
    const height = 160;
    const pad = 28;
    const max = Math.max(1, ...values);
    const min = Math.min(0, ...values);
    const x = (i) => pad + (values.length > 1 ? (i / (values.length - 1)) * (width - 2 * pad) : 0);
    const y = (v) => height - pad - ((v - min) / (max - min)) * (height - 2 * pad);
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'curve');
    svg.setAttribute('id', 'fsr-curve');
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    const add = (tag, attrs, text) => {
      const el = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      if (text !== undefined) el.textContent = text;
      svg.append(el);
    };
    add('line', { x1: pad, y1: y(0), x2: width - pad, y2: y(0), stroke: '#999' });
    add('line', { x1: pad, y1: y(1), x2: width - pad, y2: y(1), stroke: '#cfd8cf', 'stroke-dasharray': '4 3' });
    add('text', { x: 2, y: y(1) + 4, 'font-size': 10 }, '1');
    add('text', { x: 2, y: y(0) + 4, 'font-size': 10 }, '0');
    add('polyline', { points: values.map((v, i) => `${x(i)},${y(v)}`).join(' '), fill: 'none', stroke: '#1f7a3a', 'stroke-width': 2 });
    values.forEach((v, i) => add('circle', { cx: x(i), cy: y(v), r: 3, fill: '#1f7a3a' }));
    add('text', { x: width / 2 - 30, y: height - 6, 'font-size': 10 }, 'node (search step)');
    return svg;
  }

  // ---- run page: loss curves, analyses ----

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const PALETTE = ['#1f5fbf', '#c2410c', '#7c3aed', '#0f766e', '#b91c1c', '#a16207', '#be185d', '#4d7c0f'];

  /** An SVG element with attributes (and text): the charts' counterpart of h(). */
  function s(tag, attrs, text) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /**
   * Val loss against step or training time, one polyline per series ({label, color, dashed, points: [[step, ms, loss]]}),
   * and the target as a red dashed line. Step 0's loss (far above the rest) is cut off at the top so the end shows.
   */
  function lossChart(series, target, by) {
    const width = 640;
    const height = 300;
    const pad = { left: 48, right: 12, top: 10, bottom: 34 };
    const xOf = (p) => (by === 'time' ? p[1] / 1000 : p[0]);
    const usable = series.map((c) => ({ ...c, points: c.points.filter((p) => xOf(p) !== null && Number.isFinite(xOf(p))) }));
    const all = usable.flatMap((c) => c.points);
    const svg = s('svg', { class: 'curve', id: 'loss-chart', width, height, role: 'img' });
    if (all.length === 0) {
      svg.append(s('text', { x: pad.left, y: height / 2, 'font-size': 12 }, 'No validation point to draw.'));
      return svg;
    }
    const later = all.filter((p) => p[0] > 0);
    const losses = (later.length ? later : all).map((p) => p[2]);
    const yMax = Math.max(...losses, target ?? -Infinity);
    const yMin = Math.min(...losses, target ?? Infinity);
    const xMax = Math.max(...all.map(xOf)) || 1;
    const span = yMax - yMin || 1;
    const x = (v) => pad.left + (v / xMax) * (width - pad.left - pad.right);
    const y = (v) => pad.top + ((yMax + span * 0.05 - Math.min(v, yMax + span * 0.05)) / (span * 1.1)) * (height - pad.top - pad.bottom);
    svg.append(s('line', { x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom, stroke: '#999' }));
    svg.append(s('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: height - pad.bottom, stroke: '#999' }));
    for (let i = 0; i <= 4; i++) {
      const yv = yMin + (span * i) / 4;
      const xv = (xMax * i) / 4;
      svg.append(s('text', { x: 4, y: y(yv) + 4, 'font-size': 10 }, yv.toFixed(3)));
      svg.append(s('text', { x: x(xv) - 8, y: height - pad.bottom + 13, 'font-size': 10 }, by === 'time' ? xv.toFixed(0) : String(Math.round(xv))));
    }
    svg.append(s('text', { x: width / 2 - 40, y: height - 4, 'font-size': 11 }, by === 'time' ? 'training time (s)' : 'step'));
    if (target !== null && target !== undefined) {
      svg.append(
        s('line', { x1: pad.left, y1: y(target), x2: width - pad.right, y2: y(target), stroke: '#b42318', 'stroke-dasharray': '5 4', class: 'target-line' }),
      );
      svg.append(s('text', { x: width - pad.right - 90, y: y(target) - 4, 'font-size': 10, fill: '#b42318' }, `target ${target}`));
    }
    for (const c of usable) {
      const line = s('polyline', {
        points: c.points.map((p) => `${x(xOf(p)).toFixed(1)},${y(p[2]).toFixed(1)}`).join(' '),
        fill: 'none',
        stroke: c.color,
        'stroke-width': c.dashed ? 2.5 : 1.6,
        'stroke-dasharray': c.dashed ? '7 4' : 'none',
        'data-series': c.label,
      });
      line.append(s('title', {}, c.label));
      svg.append(line);
    }
    return svg;
  }

  /** The loss-curve section: a picker of nodes (default the best and node 0), the record's own curves dashed. */
  function curvesSection(curves, best) {
    if (curves.error) return h('p', { class: 'damaged', id: 'curves' }, `loss curves: ${curves.error}`);
    const picked = new Set(curves.nodes.filter((n) => n.node === best || n.node === 0).map((n) => n.node));
    let by = curves.nodes.concat(curves.references).every((c) => c.points.every((p) => p[1] !== null)) ? 'time' : 'step';
    const chartBox = h('div', {});
    const colorOf = (node) => PALETTE[curves.nodes.findIndex((n) => n.node === node) % PALETTE.length];
    const draw = () => {
      const series = [
        ...curves.references.map((r) => ({ label: r.label, color: r.id === 'next' ? '#067647' : '#1d2430', dashed: true, points: r.points })),
        ...curves.nodes.filter((n) => picked.has(n.node)).map((n) => ({ label: `node ${n.node}`, color: colorOf(n.node), dashed: false, points: n.points })),
      ];
      chartBox.replaceChildren(lossChart(series, curves.target_val_loss, by));
    };
    const picker = h(
      'div',
      { class: 'curve-picker', id: 'curve-picker' },
      curves.nodes.map((n) =>
        h(
          'label',
          { style: `border-color:${colorOf(n.node)}` },
          h('input', {
            type: 'checkbox',
            value: n.node,
            checked: picked.has(n.node),
            onchange: (e) => {
              if (e.target.checked) picked.add(n.node);
              else picked.delete(n.node);
              draw();
            },
          }),
          ` #${n.node}`,
          n.node === best ? ' ★' : '',
          n.same_as !== null ? ` (= #${n.same_as})` : '',
        ),
      ),
    );
    const axis = h(
      'select',
      { id: 'curve-x', onchange: (e) => ((by = e.target.value), draw()) },
      h('option', { value: 'time', selected: by === 'time' }, 'x: training time'),
      h('option', { value: 'step', selected: by === 'step' }, 'x: step'),
    );
    draw();
    return h(
      'div',
      { id: 'curves' },
      curves.nodes.length ? h('div', {}, 'Nodes to plot: ', picker, ' ', axis) : h('p', { class: 'muted' }, 'No node has a training log yet.'),
      chartBox,
      h(
        'ul',
        { class: 'legend' },
        curves.references.map((r) =>
          h('li', {}, h('span', { class: 'swatch', style: `border-color:${r.id === 'next' ? '#067647' : '#1d2430'}` }), `${r.label} — ${r.file}`),
        ),
        h('li', {}, h('span', { class: 'swatch', style: 'border-color:#b42318' }), 'target val loss'),
      ),
      curves.reference_notes.map((n) => h('p', { class: 'muted curve-note' }, n)),
      curves.problems.map((p) => h('p', { class: 'damaged' }, `${p.file}: ${p.reason}`)),
    );
  }

  function judgePane(judge) {
    return h(
      'div',
      { id: 'judge' },
      h('h3', {}, `Judge: score ${fmt(judge.score, 2)} for node ${judge.node}`),
      h(
        'p',
        { class: 'muted' },
        `${judge.model} (${judge.model_id}), prompt ${judge.prompt_version}, ${judge.source}, ${judge.calls} calls, ${money(judge.usage.cost_usd)}`,
      ),
      judge.implemented.length
        ? h(
            'table',
            {},
            h('tr', {}, h('th', {}, 'record’s change'), h('th', {}, 'in the node')),
            judge.implemented.map((c) => h('tr', {}, h('td', { class: 'wrap' }, c.change), h('td', { class: `verdict-${c.verdict}` }, c.verdict))),
          )
        : null,
      judge.other_changes.length ? h('p', {}, h('b', {}, 'other changes: '), judge.other_changes.join('; ')) : null,
      h('p', { class: 'wrap' }, h('b', {}, 'reasons: '), judge.reasons),
    );
  }

  function distancePane(d) {
    return h(
      'div',
      { id: 'distance' },
      h('h3', {}, `Embedding distance of node ${d.node}`),
      h(
        'table',
        {},
        h('tr', {}, h('th', {}, 'to'), h('th', {}, 'cosine'), h('th', {}, 'L2')),
        h(
          'tr',
          {},
          h('td', {}, `record ${d.record}`),
          h('td', { class: 'num' }, fmt(d.distance_to_record_i.cosine, 4)),
          h('td', { class: 'num' }, fmt(d.distance_to_record_i.l2, 4)),
        ),
        h(
          'tr',
          {},
          h('td', {}, `record ${d.next_record}`),
          h('td', { class: 'num' }, fmt(d.distance_to_next.cosine, 4)),
          h('td', { class: 'num' }, fmt(d.distance_to_next.l2, 4)),
        ),
      ),
      h('p', { class: 'muted' }, `${d.model} (${d.model_id}), ${d.dimension} dimensions, ${d.calls} calls, ${money(d.usage.cost_usd)}`),
    );
  }

  function ideasPane(ideas, benchId, runId) {
    const counts = Object.entries(ideas.class_counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return h(
      'div',
      { id: 'ideas' },
      h('h3', {}, `Ideas: entropy ${ideas.entropy_bits === null ? '—' : `${fmt(ideas.entropy_bits, 2)} bits`} over ${ideas.first_k.length} drafts`),
      h('p', { class: 'muted' }, `${ideas.model} (${ideas.model_id}), taxonomy ${ideas.taxonomy_version}, K ${ideas.k ?? 'all'}; classes: ${counts || '—'}`),
      h(
        'table',
        {},
        h(
          'tr',
          {},
          ['draft', 'class', 'also', 'why'].map((t) => h('th', {}, t)),
        ),
        ideas.nodes.map((n) =>
          h(
            'tr',
            {},
            h('td', {}, h('a', { href: route('run', benchId, runId, 'node', String(n.node)) }, `#${n.node}`)),
            h('td', {}, n.primary),
            h('td', {}, n.secondary.join(', ') || '—'),
            h('td', { class: 'wrap' }, n.reason),
          ),
        ),
      ),
      ideas.skipped.map((x) => h('p', { class: 'muted' }, `#${x.node} not classified: ${x.reason}`)),
      ideas.failed.map((x) => h('p', { class: 'damaged' }, `#${x.node} failed: ${x.error}`)),
    );
  }

  /** judge.json, distance.json, ideas.json when present; a file that does not read back is named with why. */
  function analysesSection(analyses, benchId, runId) {
    if (!analyses) return null;
    const { judge, distance, ideas, problems } = analyses;
    if (!judge && !distance && !ideas && problems.length === 0) return null;
    return [
      h('h2', {}, 'Analyses'),
      problems.length
        ? h(
            'ul',
            { id: 'analysis-problems' },
            problems.map((p) => h('li', { class: 'damaged' }, `${p.file}: ${p.reason}`)),
          )
        : null,
      judge ? judgePane(judge) : null,
      distance ? distancePane(distance) : null,
      ideas ? ideasPane(ideas, benchId, runId) : null,
    ];
  }

  async function runPage(benchId, runId) {
    const [data, curves] = await Promise.all([
      load(`run/${benchId}/${runId}`),
      load(`curves/${benchId}/${runId}`).catch((error) => ({ error: String(error.message || error) })),
    ]);
    const index = await load('index').catch(() => null);
    const bench = index && index.benches.find((b) => b.id === benchId);
    setCrumbs(['benches', '#/'], [bench ? bench.title : benchId, route('bench', benchId)], [runId]);
    const row = data.row;
    const best = row.best ? row.best.node : null;
    const table = h(
      'table',
      { id: 'tree' },
      h(
        'tr',
        {},
        ['node', 'operator', 'status', 'time to target', 'val loss', 'integrity', 'cost', 'note'].map((t) => h('th', {}, t)),
      ),
      treeOrder(data.nodes).map(([n, depth]) =>
        h(
          'tr',
          { class: n.node === best ? 'best' : null },
          h(
            'td',
            {},
            h('span', { class: 'tree-indent', style: `width:${depth * 1.1}rem` }),
            h('a', { href: route('run', benchId, runId, 'node', String(n.node)), class: 'node-link' }, `#${n.node}`),
            n.node === best ? ' ★' : '',
          ),
          h('td', {}, n.operator || '—', n.by === 'human' ? ' (human)' : ''),
          h('td', { class: `status-${n.status}`, title: n.damaged ? `${n.damaged.file}: ${n.damaged.reason}` : n.error || '' }, n.status),
          h('td', { class: 'num' }, seconds(n.time_to_target_ms)),
          h('td', { class: 'num' }, fmt(n.val_loss, 4)),
          h('td', { class: n.integrity === 'reject' ? 'mark-rejected' : n.integrity === 'flag' ? 'mark-flagged' : '' }, n.integrity || '—'),
          h('td', { class: 'num' }, money(n.cost_usd)),
          h('td', { class: 'wrap' }, n.damaged ? `${n.damaged.file}: ${n.damaged.reason}` : n.note || n.error || ''),
        ),
      ),
    );
    show(
      'run',
      h('h1', {}, row.run_id || runId),
      facts([
        ['task', `${row.track ?? '?'} record ${row.record ?? '?'}`],
        ['hint', row.hint ?? '—'],
        ['agent', agentLabel(row)],
        ['scaffold', row.scaffold ?? '—'],
        ['seed', row.seed ?? '—'],
        ['status', row.status],
        ['FSR', h('span', {}, fsrChip(row.fsr), marks(row))],
        ['best node', best === null ? '—' : `#${best} (${seconds(row.best.train_time_ms)})`],
        ['cost', money(row.cost_usd)],
      ]),
      data.damaged.length
        ? h(
            'ul',
            { id: 'damaged' },
            data.damaged.map((d) => h('li', { class: 'damaged' }, `damaged: ${d.file}: ${d.reason}`)),
          )
        : null,
      data.integrity
        ? [
            h('h2', {}, `Integrity: ${data.integrity.status}`),
            h(
              'ul',
              {},
              data.integrity.notes.map((n) => h('li', {}, n)),
            ),
          ]
        : null,
      data.fsr_by_step.length ? [h('h2', {}, 'FSR by step (best so far)'), fsrCurve(data.fsr_by_step)] : null,
      h('h2', {}, `Search tree (${data.nodes.length} nodes)`),
      table,
      h('h2', {}, 'Loss curves'),
      curvesSection(curves, best),
      analysesSection(data.analyses, benchId, runId),
      data.hint ? [h('h2', {}, 'Hint'), h('pre', { class: 'wrap' }, data.hint)] : null,
    );
  }

  function diffPane(diff, id = 'diff', empty = 'No edit.diff (the baseline, or a node without a script).') {
    if (!diff) return h('p', { class: 'muted', id }, empty);
    const lines = diff.split('\n').map((line) => {
      const cls =
        line.startsWith('+++') || line.startsWith('---')
          ? 'diff-hunk'
          : line.startsWith('+')
            ? 'diff-add'
            : line.startsWith('-')
              ? 'diff-del'
              : line.startsWith('@@')
                ? 'diff-hunk'
                : null;
      return h('div', { class: cls }, line);
    });
    return h('div', { class: 'code', id }, lines);
  }

  /** The node against the true next record (record i+1 from the catalog), with how much of the true change it made. */
  function trueDiffPane(t) {
    if (!t) return null;
    const o = t.overlap;
    return h(
      'div',
      { id: 'true-next' },
      t.next_record === null ? null : h('p', {}, `record ${t.next_record}: ${t.description}`),
      o
        ? h(
            'p',
            { id: 'overlap' },
            h('b', {}, 'diff overlap with the true change: '),
            `recall ${fmt(o.recall, 2)} · precision ${fmt(o.precision, 2)} · F1 ${fmt(o.f1, 2)} · ${o.matched_lines} of ${o.true_lines} changed code lines matched, ${o.hunks_reproduced}/${o.hunks_total} hunks`,
          )
        : null,
      t.note ? h('p', { class: 'muted', id: 'true-note' }, t.note) : null,
      t.to_next === null
        ? null
        : [
            h('div', { class: 'role' }, `this node's script → record ${t.next_record}'s`),
            diffPane(t.to_next, 'true-diff', `The node's script is record ${t.next_record}'s.`),
          ],
      t.true_diff
        ? h('details', {}, h('summary', {}, `the true change: record ${t.record} → record ${t.next_record}`), diffPane(t.true_diff, 'record-diff'))
        : null,
    );
  }

  /** The log: metric lines (as the harness parsed them) highlighted; a long one drawn as a window (logWindow). */
  function logPane(log) {
    if (log.stdout === null && log.stderr === null) return h('p', { class: 'muted', id: 'log' }, 'No log (the node was not trained here).');
    const view = logWindow(log.stdout || '', log.metric_lines);
    return h(
      'div',
      {},
      view.controls,
      log.truncated ? h('p', { class: 'muted' }, 'The log is long: only its last part is shown.') : null,
      view.box,
      log.stderr ? [h('div', { class: 'role' }, 'stderr'), h('pre', { id: 'stderr' }, log.stderr)] : null,
    );
  }

  // ---- long logs (docs/view.md, "Long logs") ----

  const LOG_WHOLE = 3000; // a log of up to this many lines is drawn whole; a longer one as a window of
  const LOG_EDGE = 200; // its first and last lines,
  const LOG_METRIC_MAX = 400; // its metric lines (evenly picked when more),
  const LOG_MORE = 500; // and a hidden stretch opens this many lines per click.
  const LOG_HITS_MAX = 500; // Search looks at every line and draws the first matches; a click jumps to one.

  function logWindow(text, metricLines) {
    const lines = text.split('\n');
    const metric = new Set(metricLines);
    const shown = new Set();
    const reveal = (from, to) => {
      for (let i = Math.max(0, from); i < Math.min(lines.length, to); i++) shown.add(i);
    };
    if (lines.length <= LOG_WHOLE) reveal(0, lines.length);
    else {
      reveal(0, LOG_EDGE);
      reveal(lines.length - LOG_EDGE, lines.length);
      const every = Math.ceil(metricLines.length / LOG_METRIC_MAX);
      metricLines.forEach((n, i) => (i % every === 0 || i === metricLines.length - 1) && shown.add(n - 1));
    }
    const box = h('div', { class: 'code', id: 'log', 'data-lines': lines.length });
    const count = h('span', { class: 'muted', id: 'log-count' });
    const lineEl = (i) => h('div', { class: metric.has(i + 1) ? 'log-metric' : null, 'data-n': i + 1 }, lines[i]);
    const gapEl = (from, to) =>
      h(
        'div',
        { class: 'log-gap' },
        h(
          'button',
          { type: 'button', class: 'log-more', onclick: () => (reveal(from, from + LOG_MORE), draw()) },
          `… ${to - from} lines hidden: show ${Math.min(LOG_MORE, to - from)} more`,
        ),
      );
    function draw() {
      const out = [];
      let next = 0;
      for (const i of [...shown].sort((a, b) => a - b)) {
        if (i > next) out.push(gapEl(next, i));
        out.push(lineEl(i));
        next = i + 1;
      }
      if (next < lines.length) out.push(gapEl(next, lines.length));
      box.replaceChildren(...out);
    }
    function find(query) {
      const q = query.toLowerCase();
      if (q === '') return (draw(), (count.textContent = ''));
      const hits = [];
      let total = 0;
      lines.forEach((line, i) => line.toLowerCase().includes(q) && total++ < LOG_HITS_MAX && hits.push(i));
      count.textContent = ` ${total} matching lines${total > hits.length ? ` (the first ${hits.length} shown)` : ''}: click one to see it in the log`;
      box.replaceChildren(
        ...hits.map((i) => h('div', { class: `log-hit ${metric.has(i + 1) ? 'log-metric' : ''}`, 'data-n': i + 1, onclick: () => jump(i) }, lines[i])),
      );
    }
    function jump(i) {
      search.value = '';
      count.textContent = '';
      reveal(i - 20, i + 21);
      draw();
      const target = box.querySelector(`[data-n="${i + 1}"]`);
      target.classList.add('log-target');
      target.scrollIntoView({ block: 'center' });
    }
    const search = h('input', {
      type: 'search',
      id: 'log-search',
      placeholder: 'search the log (metric lines are highlighted)',
      oninput: () => find(search.value),
    });
    draw();
    return { controls: h('div', {}, search, count), box };
  }

  function auditPane(result) {
    const audit = result && result.integrity;
    if (!audit) return h('p', { class: 'muted', id: 'audit' }, 'Not audited (the baseline, a node without a script, or an older result).');
    return h(
      'div',
      { id: 'audit' },
      h('p', {}, `verdict: ${audit.verdict}`, audit.findings.length ? '' : ' — no findings'),
      audit.findings.map((f) =>
        h(
          'div',
          { class: 'finding' },
          h('b', { class: f.severity === 'reject' ? 'mark-rejected' : 'mark-flagged' }, `${f.severity} · ${f.rule}`),
          f.by_record ? ' (the record’s own change)' : '',
          `: ${f.message}`,
          f.excerpt && f.excerpt.length ? h('pre', {}, f.excerpt.join('\n')) : null,
        ),
      ),
    );
  }

  function callsPane(calls) {
    if (calls.length === 0) return h('p', { class: 'muted', id: 'calls' }, 'No model call recorded under this node.');
    return h(
      'div',
      { id: 'calls' },
      calls.map((c, i) => {
        const tokens = c.usage ? `${c.usage.prompt_tokens} in / ${c.usage.completion_tokens} out` : 'tokens —';
        return h(
          'details',
          { class: 'call', open: i === calls.length - 1 },
          h(
            'summary',
            {},
            `#${i + 1} ${c.purpose} · ${c.model} · ${tokens} · ${money(c.cost_usd)} · ${(c.latency_ms / 1000).toFixed(1)} s`,
            c.error ? h('span', { class: 'damaged' }, ` · error: ${c.error.message}`) : '',
          ),
          c.request.messages.map((m) => [h('div', { class: 'role' }, m.role), h('pre', { class: 'wrap' }, m.content)]),
          c.response && c.response.reasoning
            ? [h('div', { class: 'role' }, 'reasoning'), h('pre', { class: 'wrap call-reasoning' }, c.response.reasoning)]
            : null,
          c.response
            ? [
                h('div', { class: 'role' }, `answer (${c.response.finish_reason || 'no finish reason'})`),
                h('pre', { class: 'wrap call-answer' }, c.response.content),
              ]
            : null,
          c.retries.length ? h('p', { class: 'muted' }, `retries: ${c.retries.map((r) => r.error).join('; ')}`) : null,
          streamReplay(c),
        );
      }),
    );
  }

  // ---- streamed text replayed at its recorded pace (docs/view.md, "Streamed text") ----

  const REPLAY_SPEEDS = [1, 4, 16, 64, 256];
  const replayLabel = (p) => (p.kind === 'content' ? 'answer' : p.kind === 'reasoning' ? 'reasoning' : `tool call ${p.tool ?? 0} arguments`);

  /** A call's stream (pieces with their offset from the request) shown growing, reasoning and answer as they came. */
  function streamReplay(call) {
    const pieces = call.stream;
    if (!pieces || pieces.length === 0) return null;
    const out = h('pre', { class: 'wrap replay', 'data-replay': 'idle' });
    const clock = h('span', { class: 'muted replay-clock' });
    const speed = h(
      'select',
      { class: 'replay-speed', title: 'speed-up' },
      REPLAY_SPEEDS.map((s) => h('option', { value: s, selected: s === 16 }, `×${s}`)),
    );
    let timer = null;
    function play() {
      clearTimeout(timer);
      out.replaceChildren();
      out.dataset.replay = 'playing';
      const factor = Number(speed.value);
      const started = performance.now();
      let next = 0;
      let span = null;
      let last = null;
      const tick = () => {
        const at = (performance.now() - started) * factor;
        for (; next < pieces.length && pieces[next].ms <= at; next++) {
          const p = pieces[next];
          if (`${p.kind}${p.tool}` !== last) {
            last = `${p.kind}${p.tool}`;
            span = h('span', { class: `replay-${p.kind}` });
            out.append(h('div', { class: 'role' }, replayLabel(p)), span);
          }
          span.append(p.text);
        }
        clock.textContent = ` ${seconds(Math.min(at, pieces.at(-1).ms))} of ${seconds(pieces.at(-1).ms)}`;
        if (next < pieces.length) timer = setTimeout(tick, Math.max(16, Math.min(250, (pieces[next].ms - at) / factor)));
        else out.dataset.replay = 'done';
      };
      tick();
    }
    return h(
      'div',
      { class: 'replay-pane' },
      h('div', { class: 'role' }, `as streamed: ${pieces.length} pieces over ${seconds(pieces.at(-1).ms)}`),
      h('button', { type: 'button', class: 'replay-button', onclick: play }, '▶ replay'),
      ' ',
      speed,
      clock,
      out,
    );
  }

  async function nodePage(benchId, runId, nodeId) {
    const data = await load(`node/${benchId}/${runId}/${nodeId}`);
    setCrumbs(['benches', '#/'], [benchId, route('bench', benchId)], [runId, route('run', benchId, runId)], [`node ${nodeId}`]);
    const r = data.row;
    const parent = r.parent === null ? '—' : h('a', { href: route('run', benchId, runId, 'node', String(r.parent)) }, `#${r.parent}`);
    show(
      'node',
      h('h1', {}, `Node ${r.node}`),
      facts([
        ['operator', r.operator || '—'],
        ['parent', parent],
        ['status', h('span', { class: `status-${r.status}` }, r.status)],
        ['measured by', r.measured_by || '—'],
        ['time to target', seconds(r.time_to_target_ms)],
        ['val loss', fmt(r.val_loss, 4)],
        ['integrity', r.integrity || '—'],
        ['cost', money(r.cost_usd)],
      ]),
      r.note ? h('p', {}, h('b', {}, 'note: '), r.note) : null,
      r.error ? h('p', { class: 'damaged' }, r.error) : null,
      data.problems.length
        ? h(
            'ul',
            { id: 'problems' },
            data.problems.map((p) => h('li', { class: 'damaged' }, `${p.file}: ${p.reason}`)),
          )
        : null,
      h(
        'div',
        { class: 'diff-columns' },
        h('section', { class: 'pane' }, h('h2', {}, 'Diff against the parent'), diffPane(data.diff)),
        h('section', { class: 'pane' }, h('h2', {}, 'Against the true next record'), trueDiffPane(data.true_diff)),
      ),
      h('section', { class: 'pane' }, h('h2', {}, 'Log'), logPane(data.log)),
      h('section', { class: 'pane' }, h('h2', {}, 'Audit findings'), auditPane(data.result)),
      h('section', { class: 'pane' }, h('h2', {}, `Model calls (${data.calls.length})`), callsPane(data.calls)),
      data.analysis ? h('section', { class: 'pane' }, h('h2', {}, 'Log analysis'), h('pre', { class: 'wrap' }, data.analysis)) : null,
      data.agent_log.stdout || data.agent_log.stderr
        ? h('section', { class: 'pane' }, h('h2', {}, 'Agent output'), h('pre', {}, [data.agent_log.stdout, data.agent_log.stderr].filter(Boolean).join('\n')))
        : null,
    );
  }

  /** Hash routes: #/, #/bench/<b>, #/run/<b>/<r>, #/run/<b>/<r>/node/<n>. */
  async function render() {
    const parts = location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter(Boolean)
      .map((p) => decodeURIComponent(p));
    document.body.dataset.ready = '';
    try {
      if (parts[0] === 'bench' && parts.length === 2) await benchPage(parts[1]);
      else if (parts[0] === 'run' && parts.length === 3) await runPage(parts[1], parts[2]);
      else if (parts[0] === 'run' && parts.length === 5 && parts[3] === 'node') await nodePage(parts[1], parts[2], parts[4]);
      else await benchesPage();
    } catch (error) {
      show('error', h('h1', {}, 'Not found'), h('p', { class: 'damaged', id: 'error' }, String(error.message || error)), h('a', { href: '#/' }, 'all benches'));
    }
  }

  window.addEventListener('hashchange', render);
  render();
})();
