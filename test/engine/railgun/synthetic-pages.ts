// Synthetic page histories for the Railgun tests: successive versions of news-site pages and of a
// JSON status document, made the way the real ones change between two crawls (observed on the
// project's reference corpus of git-scraped news fronts, 2022): new teasers pushed on top of the
// list and the oldest dropped, comment counters rising, ad slots rotating with fresh click ids,
// per-render UUIDs repeated through an SVG sprite, timestamps, ETags and now and then a deploy that
// renames the stylesheet. The text is drawn word by word from a real document (so it compresses as
// prose does, not as a repeated filler), with a PRNG seeded by the page's name: every run, every
// process, every machine makes the same bytes.
import { createHash } from 'node:crypto';

export interface SyntheticPage {
  name: string;
  contentType: string;
  /** File extension, for `zstd --patch-from` and the bench tables. */
  ext: 'html' | 'json';
  versions: Buffer[];
}

interface HtmlShape {
  kind: 'html';
  /** Teasers on the page at any time. */
  teasers: number;
  /** Largest number of new teasers per version (0..max, uniformly). */
  newPerVersion: number;
  /** Chance that a teaser's comment counter rises between two versions. */
  commentChurn: number;
  adSlots: number;
  /** Icons in the SVG sprite whose ids carry a per-render UUID (0: none). */
  renderIcons: number;
  /** Words in a teaser's summary. */
  summaryWords: number;
  /** Paragraphs of static text (imprint, footer), the same in every version. */
  staticParagraphs: number;
}

interface JsonShape {
  kind: 'json';
  /** Fetch records in the document, each with its response headers. */
  records: number;
}

interface PageSpec {
  name: string;
  versions: number;
  shape: HtmlShape | JsonShape;
}

/** What the Railgun tests replay besides the real pages in test/fixtures/pages. */
export const syntheticSpecs: readonly PageSpec[] = [
  {
    name: 'synthetic-news-front',
    versions: 24,
    shape: { kind: 'html', teasers: 110, newPerVersion: 3, commentChurn: 0.15, adSlots: 6, renderIcons: 0, summaryWords: 28, staticParagraphs: 6 },
  },
  {
    name: 'synthetic-news-politics',
    versions: 24,
    shape: { kind: 'html', teasers: 70, newPerVersion: 4, commentChurn: 0.25, adSlots: 4, renderIcons: 0, summaryWords: 45, staticParagraphs: 4 },
  },
  {
    name: 'synthetic-tech-security',
    versions: 24,
    shape: { kind: 'html', teasers: 60, newPerVersion: 1, commentChurn: 0.5, adSlots: 8, renderIcons: 0, summaryWords: 40, staticParagraphs: 8 },
  },
  {
    name: 'synthetic-video-list',
    versions: 24,
    shape: { kind: 'html', teasers: 45, newPerVersion: 1, commentChurn: 0.02, adSlots: 2, renderIcons: 6, summaryWords: 20, staticParagraphs: 10 },
  },
  {
    name: 'synthetic-imprint',
    versions: 30,
    shape: { kind: 'html', teasers: 0, newPerVersion: 0, commentChurn: 0, adSlots: 0, renderIcons: 14, summaryWords: 0, staticParagraphs: 40 },
  },
  { name: 'synthetic-status-json', versions: 30, shape: { kind: 'json', records: 30 } },
];

/** mulberry32: small, fast and fully determined by its 32-bit seed. */
function prng(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Draw {
  readonly random: () => number;
  private readonly words: readonly string[];
  constructor(random: () => number, words: readonly string[]) {
    this.random = random;
    this.words = words;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
  /** Words in the source's own frequencies (a uniform pick of a position in its text). */
  text(count: number): string {
    return Array.from({ length: count }, () => this.pick(this.words)).join(' ');
  }
  hex(length: number): string {
    return Array.from({ length }, () => '0123456789abcdef'[this.int(0, 15)]).join('');
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }
  digits(length: number): string {
    return String(this.int(1, 9)) + Array.from({ length: length - 1 }, () => this.int(0, 9)).join('');
  }
}

interface Teaser {
  id: number;
  slug: string;
  kicker: string;
  title: string;
  summary: string;
  image: string;
  comments: number;
  published: number;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const minute = 60_000;
/** The first crawl of every synthetic page (the reference corpus's crawls began on this evening). */
const firstCrawl = Date.UTC(2022, 0, 28, 21, 35, 10);

function makeTeaser(draw: Draw, id: number, at: number, shape: HtmlShape): Teaser {
  const title = draw.text(draw.int(6, 12));
  return {
    id,
    slug: title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80),
    kicker: draw.text(draw.int(1, 3)),
    title: title.charAt(0).toUpperCase() + title.slice(1),
    summary: draw.text(shape.summaryWords),
    image: draw.hex(12),
    comments: draw.chance(0.6) ? draw.int(0, 400) : 0,
    published: at - draw.int(0, 600) * minute,
  };
}

function teaserHtml(t: Teaser, section: string): string {
  const href = `https://www.example.net/${section}/${t.slug}-${t.id}.html`;
  return `<article class="teaser teaser--${t.id % 3 === 0 ? 'large' : 'small'}" data-teaser-id="${t.id}">
  <a class="teaser__link" href="${href}" data-tracking="teaser|${section}|${t.id}">
    <picture class="teaser__image">
      <source media="(min-width: 1024px)" srcset="https://img.example.net/${t.image}/w960/${t.slug}.webp 1x, https://img.example.net/${t.image}/w1920/${t.slug}.webp 2x" type="image/webp"/>
      <img src="https://img.example.net/${t.image}/w640/${t.slug}.jpg" alt="${escapeHtml(t.title)}" loading="lazy" width="640" height="360"/>
    </picture>
    <span class="teaser__kicker">${escapeHtml(t.kicker)}</span>
    <h3 class="teaser__title">${escapeHtml(t.title)}</h3>
  </a>
  <p class="teaser__summary">${escapeHtml(t.summary)}</p>
  <footer class="teaser__meta"><time datetime="${new Date(t.published).toISOString()}">${new Date(t.published).toUTCString().slice(5, 22)}</time>
    <ul class="media-icons"><li class="media-icon media-icon--comments">${t.comments}<span class="hidden"> comments</span></li></ul>
  </footer>
</article>
`;
}

/** One site's page as its server renders it at one crawl. */
class HtmlSite {
  private teasers: Teaser[] = [];
  private nextId: number;
  private readonly nav: string;
  private readonly staticText: string;
  private readonly adTitles: string[];
  private assetHash: string;
  private at = firstCrawl;
  private readonly draw: Draw;
  private readonly name: string;
  private readonly shape: HtmlShape;

  constructor(draw: Draw, name: string, shape: HtmlShape) {
    this.draw = draw;
    this.name = name;
    this.shape = shape;
    this.nextId = draw.int(91_000_000, 91_900_000);
    for (let i = 0; i < shape.teasers; i++) this.teasers.push(makeTeaser(draw, this.nextId--, this.at, shape));
    this.nextId += shape.teasers + 1;
    this.nav = Array.from({ length: 36 }, (_, i) => {
      const label = draw.text(draw.int(1, 2));
      return `<li class="nav__item"><a href="https://www.example.net/${label.replace(/\W+/g, '-')}/" data-nav="${i}">${escapeHtml(label)}</a></li>`;
    }).join('\n');
    this.staticText = Array.from({ length: shape.staticParagraphs }, () => `<p>${escapeHtml(draw.text(draw.int(40, 90)))}</p>`).join('\n');
    this.adTitles = Array.from({ length: 40 }, () => draw.text(draw.int(4, 8)));
    this.assetHash = draw.hex(32);
  }

  /** The page changes as between two crawls 20 minutes to 2 hours apart. */
  advance(): void {
    const { draw, shape } = this;
    this.at += draw.int(20, 120) * minute;
    const fresh = Array.from({ length: draw.int(0, shape.newPerVersion) }, () => makeTeaser(draw, this.nextId++, this.at, shape));
    this.teasers = [...fresh.reverse(), ...this.teasers].slice(0, shape.teasers);
    for (const teaser of this.teasers) if (draw.chance(shape.commentChurn)) teaser.comments += draw.int(1, 6);
    // Editors move a teaser up now and then.
    if (this.teasers.length > 4 && draw.chance(0.3)) {
      const [moved] = this.teasers.splice(draw.int(3, this.teasers.length - 1), 1);
      this.teasers.splice(draw.int(0, 2), 0, moved!);
    }
    if (draw.chance(0.08)) this.assetHash = draw.hex(32);
  }

  render(): Buffer {
    const { draw, shape, name } = this;
    const section = name.replace(/^synthetic-/, '');
    const renderId = draw.uuid();
    const icons = Array.from({ length: shape.renderIcons }, (_, i) => {
      const id = `${['close', 'chevron-right', 'search', 'menu', 'play', 'share', 'user'][i % 7]}-${i}-${renderId}`;
      return `  <symbol id="s-${id}" viewBox="0 0 16 16"><g id="g-${id}"><path id="vector-${id}" d="M${4 + (i % 5)}.333 2.667L7.667 6 4.333 9.333" stroke-width="1.5" stroke-linecap="round"/></g></symbol>`;
    }).join('\n');
    const ads = Array.from({ length: shape.adSlots }, (_, slot) => {
      return `<aside class="ad-slot" id="ad-${slot}"><a href="https://ads.example.net/gampad/clk?id=${draw.digits(10)}&amp;iu=/6514/www.example.net/${section}/textlink" rel="sponsored">${escapeHtml(draw.pick(this.adTitles))}</a></aside>`;
    });
    const list = this.teasers
      .map((t, i) => `{"@type":"ListItem","url":"https://www.example.net/${section}/${t.slug}-${t.id}.html","position":${i + 1}}`)
      .join(',');
    const main: string[] = [];
    this.teasers.forEach((teaser, i) => {
      main.push(teaserHtml(teaser, section));
      if (i % 12 === 5 && ads[Math.floor(i / 12)]) main.push(ads[Math.floor(i / 12)]!);
    });
    const html = `<!DOCTYPE html>
<html lang="en" class="no-js"><head><meta charset="utf-8"/>
<title>${escapeHtml(section)} | Example News</title>
<script type="application/ld+json">{"@context":"http://schema.org","@type":"ItemList","itemListElement":[${list}]}</script>
<link href="https://www.example.net/static/css/${this.assetHash}/main.css" rel="stylesheet"/>
<script>window.pageConfig={"renderId":"${renderId}","generated":"${new Date(this.at).toISOString()}","section":"${section}","abGroup":${draw.int(0, 9)}};</script>
</head><body>
<svg xmlns="http://www.w3.org/2000/svg" style="display:none">
${icons}
</svg>
<header class="site-header"><nav><ul class="nav">
${this.nav}
</ul></nav><p class="site-header__updated">Updated <time datetime="${new Date(this.at).toISOString()}">${new Date(this.at).toUTCString()}</time></p></header>
<main class="stream">
${main.join('')}${ads.slice(Math.ceil(this.teasers.length / 12)).join('\n')}
</main>
<footer class="site-footer">
${this.staticText}
<input type="hidden" name="csrf" value="${draw.hex(40)}"/>
</footer>
<script src="https://www.example.net/static/js/${this.assetHash}/app.js" defer></script>
</body></html>
`;
    return Buffer.from(html);
  }
}

/** A crawler's JSON record of each fetch and its response headers (as the corpus's status.json). */
class StatusDocument {
  private at = firstCrawl;
  private readonly urls: string[];
  private readonly lastModified: number[];
  /** Each site's long, unchanging headers (policies), as real responses carry them. */
  private readonly policies: string[];

  private readonly draw: Draw;

  constructor(draw: Draw, shape: JsonShape) {
    this.draw = draw;
    this.urls = Array.from({ length: shape.records }, () => `https://www.example.net/${draw.text(draw.int(1, 3)).replace(/\W+/g, '-')}/`);
    this.lastModified = this.urls.map(() => firstCrawl - draw.int(1, 300) * minute);
    this.policies = this.urls.map(() => {
      const hosts = Array.from(
        { length: draw.int(12, 30) },
        () => `https://${draw.text(1).toLowerCase()}.${draw.pick(['example.net', 'example.com', 'example.org'])}`,
      );
      return `default-src 'self'; script-src 'self' ${hosts.slice(0, hosts.length / 2).join(' ')}; img-src 'self' data: ${hosts.join(' ')}; frame-ancestors 'none'`;
    });
  }

  advance(): void {
    this.at += this.draw.int(20, 120) * minute;
    this.lastModified.forEach((_, i) => {
      if (this.draw.chance(0.7)) this.lastModified[i] = this.at - this.draw.int(0, 19) * minute;
    });
  }

  render(): Buffer {
    const { draw } = this;
    const records = this.urls.map((url, i) => {
      const date = this.at + i * draw.int(900, 4000);
      const httpDate = (ms: number) => new Date(ms).toUTCString();
      return {
        url,
        date: new Date(date).toISOString().replace('Z', `${draw.digits(3)}`),
        status: 200,
        headers: {
          'Cache-Control': 'max-age=0, private, must-revalidate',
          'Content-Encoding': 'gzip',
          'Content-Security-Policy': this.policies[i]!,
          'Content-Type': 'text/html; charset=utf-8',
          Date: httpDate(date),
          ETag: `"${draw.int(0x80000, 0xfffff).toString(16)}-${Buffer.from(draw.hex(20), 'hex').toString('base64').slice(0, 27)}"`,
          'Last-Modified': httpDate(this.lastModified[i]!),
          Server: 'nginx',
          'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
          Vary: 'Accept-Encoding',
          Via: `1.1 varnish (Varnish/6.0), 1.1 cache-${100 + (i % 7)}.example.net`,
          'X-Cache': draw.chance(0.8) ? 'HIT' : 'MISS',
          'X-Cache-Hits': String(draw.int(0, 900)),
          'X-Refresh': `s=6n|h=${draw.int(0, 90)}|c=|t=20.000|a=${(draw.random() * 20).toFixed(3)}|rd=${httpDate(this.lastModified[i]!)}|dd=${httpDate(date)}`,
        },
      };
    });
    return Buffer.from(`${JSON.stringify({ crawler: 'example-archive/1.4', records }, null, 2)}\n`);
  }
}

/** The synthetic pages, all their versions, with `words` (a real document's words) as vocabulary. */
export function syntheticPages(words: readonly string[]): SyntheticPage[] {
  return syntheticSpecs.map((spec) => {
    const draw = new Draw(prng(spec.name), words);
    const site = spec.shape.kind === 'html' ? new HtmlSite(draw, spec.name, spec.shape) : new StatusDocument(draw, spec.shape);
    const versions: Buffer[] = [];
    for (let i = 0; i < spec.versions; i++) {
      if (i > 0) site.advance();
      versions.push(site.render());
    }
    const json = spec.shape.kind === 'json';
    return { name: spec.name, contentType: json ? 'application/json' : 'text/html; charset=utf-8', ext: json ? 'json' : 'html', versions };
  });
}
