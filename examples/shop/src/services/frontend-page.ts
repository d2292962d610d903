// The shop's one HTML page: lists products with prices, adds to a cart, links the dashboard.
// Inline script and style, no CDN.
export const SHOP_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Breakwater shop</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 12px 24px; display: flex; gap: 24px; align-items: center; }
  header a { color: #9cd3ff; }
  main { padding: 24px; display: grid; grid-template-columns: 1fr 280px; gap: 24px; }
  #products { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 16px; }
  .card { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 3px #0002; }
  .pic { font-size: 40px; }
  .price { font-weight: 600; }
  .degraded { color: #b35c00; }
  aside { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 3px #0002; align-self: start; }
  button { cursor: pointer; }
</style>
</head>
<body>
<header><strong>Breakwater shop</strong>
  <label>Currency <select id="currency"><option>USD</option><option>EUR</option><option>GBP</option></select></label>
  <a href="dashboard/">dashboard</a><span id="status"></span></header>
<main><section id="products"></section><aside><h3>Cart</h3><div id="cart">empty</div></aside></main>
<script>
const user = 'demo-user';
const fmt = (p) => p === null ? '<span class="degraded">price unavailable</span>'
  : (p.units + p.nanos / 1e9).toFixed(2) + ' ' + p.currency;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const currency = () => document.getElementById('currency').value;
async function load() {
  const r = await fetch('api/products?currency=' + currency());
  const status = document.getElementById('status');
  if (!r.ok) { status.textContent = 'catalog unavailable (' + r.status + ')'; return; }
  status.textContent = r.headers.get('x-shop-degraded') ? 'degraded: ' + r.headers.get('x-shop-degraded') : '';
  const products = await r.json();
  document.getElementById('products').innerHTML = products.map((p) =>
    '<div class="card"><div class="pic">' + esc(p.picture ?? '') + '</div><b>' + esc(p.name) + '</b><p>' +
    esc(p.description) + '</p><div class="price">' + fmt(p.price) + '</div>' +
    '<button data-id="' + esc(p.id) + '">add to cart</button></div>').join('');
}
async function cart() {
  const r = await fetch('api/cart/' + user + '?currency=' + currency());
  if (!r.ok) { document.getElementById('cart').textContent = 'cart unavailable (' + r.status + ')'; return; }
  const c = await r.json();
  document.getElementById('cart').innerHTML = c.items.length === 0 ? 'empty' :
    c.items.map((i) => esc(i.quantity) + ' × ' + esc(i.name ?? i.productId)).join('<br>') +
    '<p class="price">total: ' + fmt(c.total) + '</p>';
}
document.getElementById('products').addEventListener('click', async (e) => {
  const id = e.target.dataset && e.target.dataset.id;
  if (!id) return;
  await fetch('api/cart/' + user + '/items', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ productId: id, quantity: 1 }) });
  cart();
});
document.getElementById('currency').addEventListener('change', () => { load(); cart(); });
load(); cart();
</script>
</body>
</html>
`;
