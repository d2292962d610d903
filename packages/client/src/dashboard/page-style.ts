// The page's stylesheet: dark, compact, Hystrix-like cards. Served inline under the page's nonce. Cards
// are `content-visibility: auto`: off-screen ones skip style, layout and paint (most of 50 × 20).
export const PAGE_STYLE = `
:root{color-scheme:dark;--bg:#0d1117;--card:#161b22;--line:#30363d;--fg:#e6edf3;--dim:#8b949e;
--ok:#3fb950;--warn:#d29922;--bad:#f85149;--iso:#a371f7;--accent:#58a6ff}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:13px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif}
header{display:flex;gap:12px;align-items:center;padding:8px 14px;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--bg);z-index:1}
header h1{font-size:16px;margin:0;font-weight:600}
header .sum{color:var(--dim)}
header button{margin-left:auto;background:var(--card);color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:3px 8px;cursor:pointer}
.conn{padding:1px 8px;border-radius:10px;font-size:12px;border:1px solid var(--line)}
.conn[data-state=live]{color:var(--ok);border-color:var(--ok)}
.conn[data-state=disconnected],.conn[data-state=stale]{color:var(--bad);border-color:var(--bad)}
.conn[data-state=connecting]{color:var(--warn);border-color:var(--warn)}
main{display:grid;grid-template-columns:1fr 320px;gap:12px;padding:12px 14px}
#services{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:10px;align-content:start}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 10px;min-width:0;overflow-x:auto;content-visibility:auto;contain-intrinsic-size:auto 170px}
.card[data-breaker=open],.card[data-breaker=isolated]{border-color:var(--bad)}
.card[data-breaker=half-open]{border-color:var(--warn)}
.head{display:flex;align-items:center;gap:8px}
.head h2{font-size:14px;margin:0;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;flex:1}
.badge{font-size:11px;padding:0 6px;border-radius:8px;border:1px solid currentColor;white-space:nowrap}
.badge[data-state=closed]{color:var(--ok)}
.badge[data-state=half-open]{color:var(--warn)}
.badge[data-state=open]{color:var(--bad);background:#f8514922}
.badge[data-state=isolated]{color:var(--iso)}
.badge[data-state=none]{color:var(--dim)}
.stats{display:grid;grid-template-columns:repeat(3,1fr);gap:6px;margin:6px 0}
.stat .v{font-size:18px;font-variant-numeric:tabular-nums}
.stat .l{color:var(--dim);font-size:11px}
.stat .v.bad{color:var(--bad)} .stat .v.warn{color:var(--warn)}
svg.spark{display:block;width:100%;height:26px}
svg.spark polyline{fill:none;stroke:var(--accent);stroke-width:1.2;vector-effect:non-scaling-stroke}
svg.spark polyline.p50{stroke:var(--dim)}
svg.spark.ok polyline{stroke:var(--ok)}
.meta{color:var(--dim);font-size:12px;display:flex;flex-wrap:wrap;gap:4px 12px}
.meta b{color:var(--fg);font-weight:500;font-variant-numeric:tabular-nums}
details{margin-top:6px}
summary{cursor:pointer;color:var(--accent);font-size:12px}
table{width:100%;border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums;margin-top:4px}
th{color:var(--dim);font-weight:500;text-align:left;border-bottom:1px solid var(--line);padding:2px 4px;white-space:nowrap}
td{padding:2px 4px;border-bottom:1px solid #21262d;white-space:nowrap}
td.addr{max-width:140px;overflow:hidden;text-overflow:ellipsis}
td svg.spark{height:16px;width:56px}
tr[data-ejected=true] td.addr{color:var(--bad);text-decoration:line-through}
tr[data-breaker=open] td,tr[data-breaker=isolated] td{background:#f8514914}
tr[data-breaker=half-open] td{background:#d2992214}
aside{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 10px;align-self:start;position:sticky;top:50px;max-height:calc(100vh - 70px);overflow:auto}
aside h2{font-size:14px;margin:0 0 6px}
#events{list-style:none;margin:0;padding:0;font-size:12px}
#events li{padding:3px 0;border-bottom:1px solid #21262d}
#events .t{color:var(--dim);margin-right:6px;font-variant-numeric:tabular-nums}
#events .k{margin-right:6px}
#events li[data-kind=breaker] .k,#events li[data-kind=eject] .k,#events li[data-kind=discovery-error] .k{color:var(--bad)}
#events li[data-kind=uneject] .k,#events li[data-kind=endpoint-added] .k{color:var(--ok)}
#events li[data-kind=endpoint-removed] .k{color:var(--warn)}
.empty{color:var(--dim);padding:20px}
@media (max-width:900px){main{grid-template-columns:1fr}aside{position:static;max-height:none}}
`;
