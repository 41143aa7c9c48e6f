// A seeded sample of HTTP requests for measuring what a WAF regex costs per request: page and
// API GETs with query strings, form posts, one-line JSON bodies (no "=", many quotes and
// digits) and static assets, in the proportions a busy edge sees. Each entry is the text a WAF
// rule inspects: the request URI, a newline, and the body (the ARGS/BODY variables; headers
// are matched by other rules). Pure: same seed, same corpus.
import { seededRandom } from '../lib/random.js';

const WORDS = ['shoes', 'red', 'account', 'login', 'cart', 'news', 'sale', 'blue', 'search', 'video', 'report', 'travel', 'price', 'weather', 'music'];
const HOSTS = ['www.example.com', 'api.example.com', 'shop.example.net', 'cdn.example.org', 'blog.example.io'];

export function sampleRequestCorpus(seed = 1, count = 64): string[] {
  const r = seededRandom(seed);
  const word = (): string => r.pick(WORDS);
  const id = (): number => r.int(1, 999_999);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const host = r.pick(HOSTS);
    const kind = r.next();
    if (kind < 0.4) {
      const params = Array.from({ length: r.int(1, 6) }, () => `${word()}=${word()}${r.int(0, 99)}`).join('&');
      out.push(`https://${host}/${word()}/${word()}?${params}\n`);
    } else if (kind < 0.65) {
      out.push(`https://${host}/static/${word()}.${id().toString(16)}.${r.pick(['js', 'css', 'png', 'woff2'])}\n`);
    } else if (kind < 0.8) {
      const form = Array.from({ length: r.int(2, 8) }, () => `${word()}=${encodeURIComponent(`${word()} ${word()} ${r.int(0, 9999)}`)}`).join('&');
      out.push(`https://${host}/${word()}/submit\n${form}`);
    } else {
      // A one-line JSON body: quotes and digits everywhere, no "=" (the shape the 2019 regex chokes on).
      const items = Array.from({ length: r.int(1, 12) }, () => `{"sku": ${id()}, "name": "${word()} ${word()}", "qty": ${r.int(1, 9)}}`);
      const body = `{"order": ${id()}, "currency": "EUR", "items": [${items.join(', ')}]}`;
      out.push(`https://${host}/api/v${r.int(1, 3)}/orders\n${body}`);
    }
  }
  return out;
}
