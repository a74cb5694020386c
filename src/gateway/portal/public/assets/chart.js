import { h, svg, uniqueId } from './dom.js';
import { formatDuration, formatHour, formatPercent } from './format.js';

const WIDTH = 480;
const HEIGHT = 150;
const PLOT_TOP = 12;
const PLOT_BOTTOM = 120;
const SLOT = WIDTH / 24;
const BAR = SLOT - 6;

function hourBar(hour, index, max) {
  const scale = (n) => (n / max) * (PLOT_BOTTOM - PLOT_TOP);
  const x = index * SLOT + 3;
  const okHeight = scale(hour.succeeded);
  const failHeight = scale(hour.failed);
  const label = `${formatHour(hour.start)}: ${hour.succeeded} succeeded, ${hour.failed} failed${hour.avgDurationMs === null ? '' : `, average ${formatDuration(hour.avgDurationMs)}`}`;
  return svg(
    'g',
    {},
    svg('title', {}, label),
    // A faint slot for every hour, so an hour without traffic still reads as an hour.
    svg('rect', { class: 'slot', x, y: PLOT_TOP, width: BAR, height: PLOT_BOTTOM - PLOT_TOP }),
    okHeight > 0 && svg('rect', { class: 'bar-ok', x, y: PLOT_BOTTOM - okHeight, width: BAR, height: okHeight }),
    failHeight > 0 && svg('rect', { class: 'bar-fail', x, y: PLOT_BOTTOM - okHeight - failHeight, width: BAR, height: failHeight }),
  );
}

function axis(hours, max) {
  const label = (x, anchor, text) => svg('text', { x, y: HEIGHT - 8, 'text-anchor': anchor, class: 'axis' }, text);
  return [
    svg('line', { x1: 0, x2: WIDTH, y1: PLOT_BOTTOM + 0.5, y2: PLOT_BOTTOM + 0.5, class: 'baseline' }),
    svg('text', { x: 2, y: PLOT_TOP - 2, class: 'axis' }, `${max} per hour`),
    label(2, 'start', formatHour(hours[0].start)),
    label(WIDTH / 2, 'middle', formatHour(hours[12].start)),
    label(WIDTH - 2, 'end', 'now'),
  ];
}

function summary(stats) {
  if (stats.attempts === 0) return 'No attempts in the last 24 hours.';
  return `${stats.attempts} attempts: ${stats.succeeded} succeeded, ${stats.failed} failed.`;
}

/**
 * The last 24 hours of an endpoint as bars of succeeded (green, below) and failed (red, on top)
 * attempts per hour, with the numbers in text beside it for those who do not read the chart.
 */
export function statsChart(stats) {
  const titleId = uniqueId('chart-title');
  const descId = uniqueId('chart-desc');
  const max = Math.max(1, ...stats.hours.map((hour) => hour.succeeded + hour.failed));
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`, class: 'chart' },
    svg('title', { id: titleId }, 'Attempts per hour over the last 24 hours'),
    svg('desc', { id: descId }, summary(stats)),
    stats.hours.map((hour, index) => hourBar(hour, index, max)),
    axis(stats.hours, max),
  );
  return h(
    'figure',
    { class: 'stats' },
    chart,
    h('figcaption', {}, h('span', { class: 'key key-ok' }, 'succeeded'), h('span', { class: 'key key-fail' }, 'failed')),
    h(
      'dl',
      { class: 'numbers' },
      h('div', {}, h('dt', {}, 'Success rate'), h('dd', {}, formatPercent(stats.successRate))),
      h('div', {}, h('dt', {}, 'Average latency'), h('dd', {}, formatDuration(stats.avgDurationMs) || 'n/a')),
      h('div', {}, h('dt', {}, 'Slowest'), h('dd', {}, formatDuration(stats.maxDurationMs) || 'n/a')),
      h('div', {}, h('dt', {}, 'Attempts'), h('dd', {}, String(stats.attempts))),
    ),
  );
}
