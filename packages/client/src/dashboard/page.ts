// The dashboard page: one HTML document with inline CSS and JS (no build step, no CDN: it works
// offline), allowed by a per-response CSP nonce.
import { randomBytes } from 'node:crypto';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The Content-Security-Policy of a page served with `nonce`: nothing but its own inline code and stream. */
export function pageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function renderPage(nonce: string, title: string): string {
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${t} · dashboard</title>
<style nonce="${nonce}">${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1 id="title">${t}</h1>
<span id="conn" class="conn" data-state="connecting">connecting…</span>
<span id="sum" class="sum"></span>
<button id="expand" type="button">expand all</button>
</header>
<main>
<section id="services"><div id="empty" class="empty">No services yet: waiting for the first call.</div></section>
<aside><h2>Events</h2><ol id="events"></ol></aside>
</main>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
