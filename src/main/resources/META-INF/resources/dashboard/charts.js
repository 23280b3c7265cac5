// Time-series charts with uPlot, served from its webjar (no CDN, no build step).
import uPlot from '../webjars/uplot/1.6.30/dist/uPlot.esm.js';
import { h } from './dom.js';

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * A figure with one series over time. `points` are {t: ISO time, v: number}; the container gets
 * data-points = the number of points drawn, and a text summary for screen readers.
 */
export function timeChart({ id, title, points, format, summary }) {
  const sorted = points.filter((p) => p.v != null).sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
  const xs = sorted.map((p) => Date.parse(p.t) / 1000);
  const ys = sorted.map((p) => p.v);
  const plot = h('div', { class: 'plot', id, dataset: { points: String(xs.length) } });
  const fig = h('figure', { class: 'chart', 'aria-labelledby': id + '-title' },
    h('figcaption', { id: id + '-title' }, title),
    plot,
    h('p', { class: 'sr-only' }, summary(sorted)));
  if (xs.length === 0) {
    plot.append(h('p', { class: 'muted' }, 'No data yet.'));
    return fig;
  }
  // uPlot needs the plot in the document to measure it: draw on the next frame.
  requestAnimationFrame(() => draw(plot, xs, ys, title, format));
  return fig;
}

function draw(plot, xs, ys, label, format) {
  if (!plot.isConnected) return;
  const stroke = css('--accent');
  const muted = css('--fg-muted');
  const grid = css('--border');
  const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const u = new uPlot({
    width: Math.max(260, plot.clientWidth),
    height: 180,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1] } },
    series: [
      { value: (u, v) => (v == null ? '–' : new Date(v * 1000).toISOString().slice(0, 16).replace('T', ' ')) },
      { label, stroke, width: 2, points: { show: true, size: 7, fill: stroke }, value: (u, v) => (v == null ? '–' : format(v)) },
    ],
    axes: [axis, { ...axis, size: 72, values: (u, vals) => vals.map(format) }],
    cursor: { y: false },
  }, [xs, ys], plot);
  plot.dataset.points = String(u.data[0].length);
  if (xs.length === 1) u.setScale('x', { min: xs[0] - 3600, max: xs[0] + 3600 }); // one point: an hour either side, not years
  const resize = new ResizeObserver(() => {
    if (!plot.isConnected) { resize.disconnect(); u.destroy(); return; }
    const w = Math.max(260, plot.clientWidth);
    if (Math.abs(w - u.width) > 4) u.setSize({ width: w, height: 180 });
  });
  resize.observe(plot);
}
