"""The baseline report's stylesheet: a page that fits a 1280 px screen and prints on A4 (portrait)."""

STYLE = """
*{-webkit-print-color-adjust:exact;print-color-adjust:exact;box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b;
 background:#fff;margin:0}
main{max-width:74rem;margin:0 auto;padding:1.5rem 2rem 3rem}
header p{margin:.2rem 0}
h1{font-size:1.9rem;line-height:1.2;margin:.3rem 0 .4rem;color:#00434c}
h2{font-size:1.35rem;margin:2.2rem 0 .5rem;padding-top:.6rem;border-top:3px solid #005a66;color:#00434c}
h3{font-size:1.08rem;margin:1.3rem 0 .3rem}
.publisher{font-weight:600;color:#3d3d3d;text-transform:uppercase;letter-spacing:.04em;font-size:.85rem}
.lede{font-size:1.08rem}
.about{background:#f2f6f7;border-left:4px solid #005a66;padding:.5rem 1.2rem;margin:1rem 0}
.about h2{border:0;margin:.3rem 0;padding:0;font-size:1.1rem}
.about ul{margin:.3rem 0;padding-left:1.2rem}
nav ol{display:flex;flex-wrap:wrap;gap:.2rem 1.6rem;padding-left:1.2rem;margin:.4rem 0}
a{color:#005a66}
.note{color:#3d3d3d;margin:.3rem 0}
table{border-collapse:collapse;width:100%;margin:.3rem 0 1rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.3rem 0;caption-side:top}
th,td{border:1px solid #c4c4c4;padding:.35rem .5rem;vertical-align:middle}
thead th{background:#eef0f1;text-align:left;font-weight:600}
th[scope=row]{text-align:left;font-weight:600;background:#fafafa}
tr.group th{background:#e4ecee;text-align:left}
.num{text-align:right;white-space:nowrap}
.matrix td{text-align:center;width:20%}
.matrix .mean{display:block;font-size:1.3rem;font-weight:700;line-height:1.2}
.matrix small{display:block;font-size:.82rem}
.matrix .share{font-weight:600}
td.suppressed{background:#f2f2f2;color:#3d3d3d;
 font-style:italic;text-align:center}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.glance{border:2px solid #005a66;border-radius:4px;padding:.4rem 1.2rem;margin:1rem 0}
.glance h2{border:0;margin:.3rem 0;padding:0;font-size:1.1rem}
.glance ul{margin:.3rem 0;padding-left:1.2rem}
.glance li{margin:.15rem 0}
th[scope=row] small{display:block;font-weight:400;font-size:.82rem}
.distribution th[scope=row]{width:24%}
.distribution .num{width:6%}
.barcell{width:34%}
.rates th[scope=row]{width:28%}
.ratecell{width:36%}
.domains th[scope=row]{width:34%}
.questions td.question{width:40%}
.questions td:nth-child(3){width:13%}
.questions td:last-child{width:22%}
th.num{white-space:normal}
td.none{color:#3d3d3d;font-style:italic}
.rate{display:flex;align-items:center;gap:.5rem}
.rate svg{flex:1}
.rate .num{min-width:8.5em}
table.domains{table-layout:fixed}
.domains thead th:first-child{width:34%}
svg.bar{display:block;width:100%;height:1.1rem;border:1px solid #767676}
.legend{margin:.3rem 0 .6rem}
.legend p{margin:.2rem 0;font-weight:600;font-size:.9rem}
.legend ul{list-style:none;display:flex;flex-wrap:wrap;gap:.2rem 1.3rem;padding:0;margin:0;font-size:.9rem}
.swatch{display:inline-block;width:1.1rem;height:.9rem;border:1px solid #767676;vertical-align:-2px;
 margin-right:.35rem}
footer{margin-top:2rem;font-size:.85rem;color:#3d3d3d}
@media print{
 @page{size:A4 portrait;margin:13mm 12mm}
 body{font-size:9pt}
 th,td{padding:.2rem .4rem}
 main{max-width:none;padding:0 1px}
 .distribution th[scope=row]{width:30%}
 .barcell{width:28%}
 nav{display:none}
 h1{font-size:18pt}
 h2{font-size:13pt;break-after:avoid;margin-top:1.2rem}
 h3{break-after:avoid}
 .matrix .mean{font-size:12pt}
 table,.legend,.intro,.glance,.about{break-inside:avoid}
 .intro,.legend,h3{break-after:avoid}
 tr{break-inside:avoid}
 a{color:inherit;text-decoration:none}
}
"""
