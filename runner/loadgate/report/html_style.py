"""The stylesheet inlined into report.html (system fonts only: nothing is fetched)."""

STYLE = """
:root { --ink:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; }
main { max-width:1200px; margin:0 auto; padding:24px; }
h1 { margin:0; font-size:22px; } h2 { font-size:16px; margin:28px 0 10px; }
header.verdict { display:flex; gap:18px; align-items:center; padding:18px 22px; border-radius:12px;
  background:#fff; border:1px solid var(--line); border-left:8px solid; }
header.verdict p { margin:4px 0 0; color:var(--muted); }
header.pass { border-left-color:#16a34a; } header.fail { border-left-color:#dc2626; }
header.error { border-left-color:#9333ea; }
.badge { font-weight:700; letter-spacing:.06em; padding:8px 14px; border-radius:8px; color:#fff; }
.pass .badge { background:#16a34a; } .fail .badge { background:#dc2626; }
.error .badge { background:#9333ea; }
.error-box { margin-top:14px; padding:12px 16px; border-radius:8px; background:#faf5ff;
  border:1px solid #e9d5ff; white-space:pre-wrap; font-family:ui-monospace,monospace; }
.cards { display:grid; grid-template-columns:repeat(5,1fr); gap:12px; margin-top:16px; }
.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.card .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.05em; }
.card .value { font-size:24px; font-weight:650; font-variant-numeric:tabular-nums; }
.card .sub { color:var(--muted); font-size:12px; }
table { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line);
  border-radius:10px; overflow:hidden; }
th, td { padding:8px 12px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
th { background:#f1f5f9; font-size:12px; color:var(--muted); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.message { color:var(--muted); font-size:13px; }
tr.total td { font-weight:650; background:#f8fafc; }
.pill { display:inline-block; min-width:46px; text-align:center; padding:2px 8px; border-radius:999px;
  font-size:12px; font-weight:650; text-transform:uppercase; }
.pill.pass { background:#dcfce7; color:#166534; } .pill.warn { background:#fef9c3; color:#854d0e; }
.pill.fail { background:#fee2e2; color:#991b1b; } .pill.error { background:#f3e8ff; color:#6b21a8; }
.charts { display:grid; grid-template-columns:repeat(3,1fr); gap:14px; }
figure { margin:0; background:#fff; border:1px solid var(--line); border-radius:10px; padding:12px; }
figure.wide { grid-column:1 / -1; }
figcaption { font-weight:600; }
.legend { display:flex; flex-wrap:wrap; gap:4px 16px; margin:4px 0 6px; color:var(--muted);
  font-size:12px; }
.legend i { display:inline-block; width:14px; height:3px; margin-right:6px; vertical-align:middle; }
.legend i.dash { height:0; border-top:2px dashed; }
svg.chart { width:100%; height:auto; display:block; font-size:11px; }
svg .grid { stroke:#eef2f7; } svg .tick { fill:#94a3b8; }
svg .series { fill:none; stroke-width:2; stroke-linejoin:round; stroke-linecap:round; }
svg .area { opacity:.12; stroke:none; }
svg .point { opacity:0; } svg .point:hover { opacity:1; }
figure.history svg .point { opacity:1; }  /* a run history has few points: each is a run */
svg .threshold { stroke-width:2; stroke-dasharray:7 5; }
svg .threshold-label { font-size:12px; font-weight:600; paint-order:stroke; stroke:#fff;
  stroke-width:4px; }
svg .band { fill:#f1f5f9; } svg .band-label { fill:#94a3b8; font-size:11px; }
svg .empty { fill:#94a3b8; font-size:14px; }
.note { color:var(--muted); font-size:12px; }
footer { margin-top:24px; color:var(--muted); font-size:12px; }
@media (max-width: 800px) { .cards { grid-template-columns:repeat(2,1fr); }
  .charts { grid-template-columns:1fr; } }
"""
