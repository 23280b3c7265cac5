// DOM building without innerHTML (every text goes in as text), and formatting.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'max') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/**
 * Replaces the children of `container`, keeping keyboard focus on the element with the same
 * data-key (re-rendering every second must not throw a keyboard user out of the page).
 */
export function swap(container, ...nodes) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.key : null;
  container.replaceChildren(...nodes.flat());
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function bytes(n) {
  if (n == null) return '–';
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1000 && i < UNITS.length - 1) { v /= 1000; i++; }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + UNITS[i];
}

export function seconds(s) {
  if (s == null) return '–';
  if (s < 1) return s.toFixed(2) + ' s';
  if (s < 10) return s.toFixed(1) + ' s';
  if (s < 120) return Math.round(s) + ' s';
  if (s < 7200) return Math.round(s / 60) + ' min';
  if (s < 172800) return (s % 3600 === 0 ? s / 3600 : (s / 3600).toFixed(1)) + ' h';
  if (s < 3 * 31536000) return Math.round(s / 86400) + ' d';
  return Math.round(s / 31536000) + ' years';
}

export function ago(iso) {
  if (!iso) return '–';
  const s = (Date.now() - Date.parse(iso)) / 1000;
  return s >= 0 ? seconds(s) + ' ago' : 'in ' + seconds(-s);
}

export function when(iso) {
  if (!iso) return '–';
  return new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

export function time(iso) {
  return iso ? h('time', { datetime: iso, title: when(iso) }, ago(iso)) : '–';
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '–';
}
