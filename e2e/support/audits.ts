import type { Page } from 'playwright-core';

// Measurements taken inside the page, on what Chromium actually laid out and painted: text
// positions come from Range rects of text nodes, colours from computed styles. The functions
// passed to page.evaluate run in the browser, so they are self-contained.

export interface LayoutReport {
  /** document width beyond the viewport (0 when nothing scrolls sideways). */
  pageOverflow: number;
  /** Texts whose visible boxes overlap another text's. */
  overlaps: string[];
  /** Texts cut off by the viewport's right edge, or squeezed by a clipping box to almost nothing. */
  cutOff: string[];
}

/** Overlapping or cut-off text anywhere on the page (scrolling containers may hide text: that is not a cut). */
export function layoutReport(page: Page): Promise<LayoutReport> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    interface Box {
      el: Element;
      text: string;
      left: number;
      right: number;
      top: number;
      bottom: number;
    }
    const boxes: Box[] = [];
    const cutOff: string[] = [];
    const clipOf = (el: Element, includeScroll: boolean) => {
      let box = { left: -Infinity, right: Infinity, top: -Infinity, bottom: Infinity };
      for (let a: Element | null = el; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        const clipsX = s.overflowX !== 'visible' && (includeScroll || !/auto|scroll/.test(s.overflowX));
        const clipsY = s.overflowY !== 'visible' && (includeScroll || !/auto|scroll/.test(s.overflowY));
        if (!clipsX && !clipsY) continue;
        const r = a.getBoundingClientRect();
        box = {
          left: clipsX ? Math.max(box.left, r.left) : box.left,
          right: clipsX ? Math.min(box.right, r.right) : box.right,
          top: clipsY ? Math.max(box.top, r.top) : box.top,
          bottom: clipsY ? Math.min(box.bottom, r.bottom) : box.bottom,
        };
      }
      return box;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      const el = n.parentElement;
      if (!text || !el || el.closest('option, .visually-hidden, [hidden], script, style')) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
      // Chart text (axis ticks, cell labels) must not collide either; charts are not cut, they scale.
      const inChart = el.closest('svg') !== null;
      const range = document.createRange();
      range.selectNodeContents(n);
      const all = clipOf(el, true);
      const hard = clipOf(el, false);
      for (const r of range.getClientRects()) {
        if (r.width < 1 || r.height < 1) continue;
        const left = Math.max(r.left, all.left);
        const right = Math.min(r.right, all.right);
        const top = Math.max(r.top, all.top);
        const bottom = Math.min(r.bottom, all.bottom);
        if (right - left >= 1 && bottom - top >= 1) boxes.push({ el, text: text.slice(0, 60), left, right, top, bottom });
        if (inChart) continue;
        const hardWidth = Math.min(r.right, hard.right) - Math.max(r.left, hard.left);
        // Past the viewport's right edge, unless a scrolling box holds it (it can be scrolled to).
        if (Math.min(r.right, all.right) > vw + 1)
          cutOff.push(`"${text.slice(0, 60)}" runs past the right edge (${Math.round(r.right)} > ${vw})`);
        else if (r.width >= 12 && hardWidth < Math.min(24, r.width * 0.5) && bottom - top >= 1)
          cutOff.push(`"${text.slice(0, 60)}" squeezed to ${Math.max(0, Math.round(hardWidth))} of ${Math.round(r.width)} px`);
      }
    }
    const overlaps: string[] = [];
    for (let i = 0; i < boxes.length; i += 1) {
      for (let j = i + 1; j < boxes.length; j += 1) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        if (a.el === b.el) continue;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        // A couple of pixels of line-box overlap between lines is normal typography.
        if (w > 2 && h > 3) overlaps.push(`"${a.text}" overlaps "${b.text}" (${Math.round(w)}×${Math.round(h)} px)`);
      }
    }
    return { pageOverflow: Math.max(0, document.documentElement.scrollWidth - vw), overlaps, cutOff };
  });
}

export interface ContrastFailure {
  text: string;
  ratio: number;
  required: number;
  color: string;
  background: string;
}

/**
 * WCAG AA contrast of every visible text (HTML and SVG): the text's computed colour against the
 * colours painted under its centre (elementsFromPoint, composited with their alpha), 4.5:1, or 3:1
 * for large text. Disabled controls are exempt, as WCAG exempts them.
 */
export function contrastFailures(page: Page): Promise<ContrastFailure[]> {
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 1;
    canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const cache = new Map<string, number[]>();
    // Any CSS colour (rgb, oklch, color-mix results…) to sRGB bytes + alpha, through the canvas.
    const rgba = (color: string): number[] => {
      const hit = cache.get(color);
      if (hit) return hit;
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      const value = [r!, g!, b!, a! / 255];
      cache.set(color, value);
      return value;
    };
    const over = (top: number[], bottom: number[]) => {
      const a = top[3]!;
      return [0, 1, 2].map((i) => top[i]! * a + bottom[i]! * (1 - a)).concat(1);
    };
    const luminance = (c: number[]) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const opacityOf = (el: Element) => {
      let o = 1;
      for (let a: Element | null = el; a; a = a.parentElement) o *= Number(getComputedStyle(a).opacity);
      return o;
    };
    const SHAPES = new Set(['rect', 'path', 'circle', 'ellipse', 'polygon']);
    const canvasColor = rgba(getComputedStyle(document.documentElement).backgroundColor);
    const base = canvasColor[3]! > 0 ? canvasColor : [255, 255, 255, 1];
    const failures: { text: string; ratio: number; required: number; color: string; background: string }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      const el = n.parentElement;
      if (!text || !el || el.closest('option, .visually-hidden, [hidden], script, style, :disabled, [aria-disabled="true"]')) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== 'visible') continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const r = [...range.getClientRects()].find((x) => x.width >= 1 && x.height >= 1);
      if (!r) continue;
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const stack = document.elementsFromPoint(x, y);
      let start = stack.findIndex((s) => s === el || s.contains(el));
      if (start < 0) start = 0;
      const layers: number[][] = [];
      let unknown = false;
      for (const layer of stack.slice(start)) {
        const s = getComputedStyle(layer);
        let c: number[];
        if (layer instanceof SVGElement) {
          if (!SHAPES.has(layer.tagName.toLowerCase()) || s.fill === 'none') continue;
          c = rgba(s.fill);
          c = [c[0]!, c[1]!, c[2]!, c[3]! * Number(s.fillOpacity) * Number(s.opacity)];
        } else {
          if (s.backgroundImage !== 'none') unknown = true;
          c = rgba(s.backgroundColor);
        }
        if (c[3]! > 0) layers.push(c);
        if (c[3]! >= 1) break;
      }
      if (unknown) continue;
      const background = layers.reduceRight((under, top) => over(top, under), base);
      const fg0 = rgba(el instanceof SVGElement ? style.fill : style.color);
      const fg = over([fg0[0]!, fg0[1]!, fg0[2]!, fg0[3]! * opacityOf(el)], background);
      const [l1, l2] = [luminance(fg), luminance(background)].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const required = large ? 3 : 4.5;
      if (ratio < required - 0.005) {
        failures.push({
          text: text.slice(0, 60),
          ratio: Math.round(ratio * 100) / 100,
          required,
          color: `rgb(${fg.slice(0, 3).map(Math.round).join(',')})`,
          background: `rgb(${background.slice(0, 3).map(Math.round).join(',')})`,
        });
      }
    }
    return failures;
  });
}

/**
 * Latin-letter words a Korean page may show outside data: units, protocol and product names that
 * Korean writes in Latin letters too.
 */
export const LATIN_IN_KOREAN = [
  'logpulse',
  'ms',
  'KB',
  'MB',
  'GB',
  'UTC',
  'AI',
  'GraphQL',
  'OpenAI',
  'Fluent',
  'Bit',
  'Redis',
  'ETag',
  'Cache',
  'Control',
  'Retry',
  'After',
  'API',
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'xx',
  'z',
  'req',
  'IP',
  'ID',
  'URL',
  'HTTP',
  'JSON',
  'PostgreSQL',
  'PGlite',
  'Slack',
  'https',
];

/** Words of English (Latin letters) in what a ko-mode page shows, outside data; tooltips and labels included. */
export function englishInKorean(page: Page, allowed: readonly string[]): Promise<string[]> {
  return page.evaluate((allowedWords) => {
    const allow = new Set(allowedWords.map((w) => w.toLowerCase()));
    // Data, not interface: anything from the logs or an AI answer, endpoints, code.
    // A control naming another language in that language ("English") is marked with its lang.
    const DATA = '[data-raw], code, .route, .method, .endpoint-link, .path, .service, script, style, option, [lang]:not([lang|="ko"])';
    const found: string[] = [];
    const check = (text: string, where: string) => {
      // Endpoints and paths are data wherever they appear (chart axes, tooltips).
      const words = text
        .replace(/\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+\/\S*/g, '')
        .replace(/(^|\s)\/\S*/g, ' ')
        .match(/[A-Za-z][A-Za-z'’]+/g);
      const english = (words ?? []).filter((w) => !allow.has(w.toLowerCase()));
      if (english.length) found.push(`${where}: "${text.trim().slice(0, 80)}" (${english.join(', ')})`);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent ?? '';
      if (!el || !text.trim() || el.closest(DATA)) continue;
      check(text, el.tagName.toLowerCase());
    }
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], img[alt]')) {
      if (el.closest(DATA)) continue;
      for (const attr of ['title', 'aria-label', 'placeholder', 'alt']) {
        // A tooltip made of data (e.g. the names of firing rules) is marked data-raw-title.
        if (attr === 'title' && el.hasAttribute('data-raw-title')) continue;
        const value = el.getAttribute(attr);
        if (value) check(value, `${el.tagName.toLowerCase()}[${attr}]`);
      }
    }
    check(document.title, 'title');
    return found;
  }, allowed);
}
