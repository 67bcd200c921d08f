"""The report's only stylesheet and script, inlined and allowed by hash in the CSP."""

from __future__ import annotations

import base64
import hashlib

CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--bg:#f6f7f9;--card:#fff;--line:#dde1e8;--accent:#2454c5;
--critical:#b3122e;--high:#d4560b;--medium:#b38600;--low:#2f6fb3;--info:#6b7280;--ok:#1d7a45}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
a{color:var(--accent)}
header.top{background:#141a26;color:#fff;padding:22px 0 18px;margin-bottom:22px}
header.top .inner{max-width:1180px;margin:0 auto;padding:0 20px}
header.top h1{margin:0 0 4px;font-size:24px;line-height:1.25}
header.top .meta{color:#aab3c5;font-size:13px}
.verdict{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;margin-right:8px;font-size:13px}
.verdict.bad{background:var(--critical)}.verdict.warn{background:var(--medium)}.verdict.good{background:var(--ok)}
.chips{margin-top:12px;display:flex;gap:8px;flex-wrap:wrap}
.chip{border-radius:14px;padding:2px 12px;font-size:13px;font-weight:600;background:#2a3244;color:#fff}
.chip.critical{background:var(--critical)}.chip.high{background:var(--high)}.chip.medium{background:var(--medium)}
.chip.low{background:var(--low)}.chip.info{background:var(--info)}
nav.toc{font-size:14px;margin:0 0 18px}
nav.toc a{margin-right:14px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin:0 0 18px}
section>h2{margin:0 0 12px;font-size:19px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
td.nw{white-space:nowrap;overflow-wrap:normal}
th{white-space:nowrap;overflow-wrap:normal;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.sev{display:inline-block;min-width:64px;text-align:center;border-radius:4px;color:#fff;font-size:12px;
font-weight:700;padding:1px 6px;text-transform:uppercase}
.sev.critical{background:var(--critical)}.sev.high{background:var(--high)}.sev.medium{background:var(--medium)}
.sev.low{background:var(--low)}.sev.info{background:var(--info)}
.muted{color:var(--muted)}
.scroll{overflow-x:auto}
article.finding{border-top:1px solid var(--line);padding:14px 0 6px}
article.finding:first-of-type{border-top:0;padding-top:0}
article.finding h3{margin:0 0 4px;font-size:17px;overflow-wrap:anywhere}
.chainline{font-size:13px;color:var(--muted);margin:0 0 8px;overflow-wrap:anywhere}
ol.steps{padding-left:22px;margin:8px 0}
ol.steps li{margin:0 0 8px}
.tech{font-weight:700}
ul.evidence{margin:2px 0 0;padding-left:18px;color:var(--muted)}
ul.evidence code{color:var(--fg);background:#eef1f6;border-radius:3px;padding:0 4px;overflow-wrap:anywhere}
.fixes{border-left:3px solid var(--ok);padding:2px 0 2px 14px;margin:10px 0}
.fix{margin:0 0 12px}
.fix h4{margin:0;font-size:15px}
.fix .why{margin:2px 0;font-size:14px}
.snip{position:relative;margin:6px 0}
.snip .lbl{font-size:12px;color:var(--muted);font-weight:600}
.snip pre{background:#141a26;color:#e8ecf3;border-radius:6px;padding:10px 12px;margin:2px 0 0;overflow-x:auto;
white-space:pre-wrap;overflow-wrap:anywhere}
button.copy{position:absolute;right:6px;top:20px;font:12px system-ui,sans-serif;padding:2px 8px;border-radius:4px;
border:1px solid #4a5568;background:#2a3244;color:#fff;cursor:pointer}
button.copy.done{background:var(--ok)}
svg{max-width:100%;height:auto;display:block;margin:6px 0}
svg .node rect{stroke-width:1.5}
svg .node text{font:12px system-ui,"DejaVu Sans",sans-serif}
svg .node text.kind{font-size:10px;text-transform:uppercase;letter-spacing:.05em;fill:#4b5563}
svg .node text.name{font-weight:600;fill:#111827}
svg .k-container rect{fill:#e3ecff;stroke:#2454c5}
svg .k-engine rect{fill:#fff0dc;stroke:#c26b00}
svg .k-endpoint rect{fill:#f2e6ff;stroke:#7a3fc2}
svg .k-path rect{fill:#dff5f0;stroke:#16826b}
svg .k-device rect{fill:#f5e9dd;stroke:#8a5a2b}
svg .k-user rect{fill:#e4f5e1;stroke:#2f7d32}
svg .k-network rect{fill:#eceff3;stroke:#6b7280}
svg .k-other rect{fill:#f3f4f6;stroke:#9ca3af}
svg .k-host rect{fill:#fde4e7;stroke:#b3122e;stroke-width:2.5}
svg .k-host text.name{fill:#8f0e24}
svg .edge path{fill:none;stroke:#64748b;stroke-width:1.6}
svg .edge.back path{stroke-dasharray:5 4}
svg .edge-label{font:11px system-ui,"DejaVu Sans",sans-serif;fill:#334155}
svg .arrowhead{fill:#64748b}
.whatif .removed{color:var(--ok)}.whatif .remaining{color:var(--critical)}
.ok{color:var(--ok);font-weight:600}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:20px}
@media print{
body{background:#fff;font-size:10.5pt}
header.top{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 8px}
header.top .meta{color:#333}
nav.toc,button.copy{display:none!important}
main{max-width:none;padding:0}
section{border:0;padding:0;margin:0 0 14px}
article.finding,.fix,svg,tr{break-inside:avoid;page-break-inside:avoid}
.snip pre{background:#f3f4f6;color:#000;border:1px solid #ccc}
a{color:#000;text-decoration:none}
.sev,.chip,.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}
svg *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
""".strip()

# Copy buttons are hidden unless this script runs; without JS the snippets stay selectable text.
SCRIPT = """
(function(){document.querySelectorAll('button.copy').forEach(function(b){b.hidden=false;
b.addEventListener('click',function(){var p=document.getElementById(b.getAttribute('data-target'));
if(!p)return;var t=p.textContent;function ok(){b.textContent='Copied';b.classList.add('done');
setTimeout(function(){b.textContent='Copy';b.classList.remove('done');},1500);}
function legacy(){var r=document.createRange();r.selectNodeContents(p);var s=window.getSelection();
s.removeAllRanges();s.addRange(r);try{document.execCommand('copy');ok();}catch(e){}}
if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(t).then(ok,legacy);}
else{legacy();}});});})();
""".strip()


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy() -> str:
    """Nothing may load from anywhere; only this stylesheet and this script may run."""
    return (f"default-src 'none'; style-src {csp_hash(CSS)}; script-src {csp_hash(SCRIPT)}; img-src data:; "
            "base-uri 'none'; form-action 'none'")
