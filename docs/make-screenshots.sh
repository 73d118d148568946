#!/usr/bin/env bash
# Renders the demo report in headless Chromium, checks the rendered page, and writes the two
# screenshots committed beside this script:
#   docs/report-desktop.png  the programme report at a desktop width (1280 px)
#   docs/report-print.png    the same page at an A4 print width (794 px)
# The check reads the DOM as Chromium rendered it: every chart in report.json is present as
# an <svg role="img"> with a <title> and a <desc>, and draws one mark per value, each mark's
# data-value equal to the value in report.json; the charts the demo must have are there
# (hub profiles, maturity profiles, respondent groups, progress over waves, growth model,
# and activity over time from the simulated xAPI log, with a line per hub).
#   make demo && docs/make-screenshots.sh [demo-output]
# Needs: apt-get install chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-demo-output}
case "$out" in /*) ;; *) out="$(pwd)/$out" ;; esac
page="$out/report.html"
[ -f "$page" ] || { echo "no $page: run make demo first" >&2; exit 1; }
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars)
"$chrome" "${flags[@]}" --dump-dom "file://$page" 2>/dev/null > "$out/report.rendered.html"
python3 - "$out/report.rendered.html" "$out/report.json" <<'PY'
import json, re, sys
from html.parser import HTMLParser
dom = open(sys.argv[1], encoding="utf-8").read()
data = json.load(open(sys.argv[2]))
class Svgs(HTMLParser):
    def __init__(self):
        super().__init__(); self.svgs = {}; self.current = None; self.tag = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.current = a.get("id"); self.svgs[self.current] = {"role": a.get("role"), "title": "", "desc": "", "marks": []}
        elif self.current and a.get("class") == "mark":
            self.svgs[self.current]["marks"].append(float(a["data-value"]))
        self.tag = tag
    def handle_endtag(self, tag):
        if tag == "svg": self.current = None
        self.tag = None
    def handle_data(self, text):
        if self.current and self.tag in ("title", "desc") and not self.svgs[self.current][self.tag]:
            self.svgs[self.current][self.tag] = text.strip()
p = Svgs(); p.feed(dom)
charts = data["charts"] + data.get("lines", [])
problems = []
required = ["hubs", "profiles", "groups", "trajectory", "growth", "activity"]
ids = [c["id"] for c in charts]
for r in required:
    if r not in ids: problems.append(f"{r}: missing from report.json (was make demo run with --logs?)")
for chart in charts:
    if chart["id"] == "activity":
        hubs = sorted({c["hub"] for c in data["hubComparison"]["hubs"]}) if "hubs" in data["hubComparison"] else []
        names = [s["name"] for s in chart["series"]]
        if hubs and names != [f"Hub {h}" for h in hubs]:
            problems.append(f"activity: series {names} are not one per hub {hubs}")
        for s in chart["series"]:
            if not any(v is not None and v > 0 for v in s["values"]):
                problems.append(f"activity: {s['name']} draws no activity")
for chart in charts:
    svg = p.svgs.get(chart["id"])
    if svg is None: problems.append(f"{chart['id']}: not in the page"); continue
    if svg["role"] != "img" or not svg["title"] or not svg["desc"]:
        problems.append(f"{chart['id']}: missing role, title or text alternative")
    values = sorted(v for s in chart["series"] for v in s["values"] if v is not None)
    if sorted(svg["marks"]) != values:
        problems.append(f"{chart['id']}: {len(svg['marks'])} marks for {len(values)} values")
for forbidden in ("<script", "<link", "<img", "@import", "url("):
    if forbidden in dom: problems.append(f"the page loads something: {forbidden}")
if problems:
    print("\n".join(problems)); sys.exit(1)
print(f"report check: {len(charts)} charts present, titled, with a text alternative; every mark matches report.json")
PY
"$chrome" "${flags[@]}" --window-size=1280,4200 --screenshot="$(pwd)/docs/report-desktop.png" "file://$page" 2>/dev/null
"$chrome" "${flags[@]}" --window-size=794,5200 --screenshot="$(pwd)/docs/report-print.png" "file://$page" 2>/dev/null
echo "wrote docs/report-desktop.png and docs/report-print.png"
