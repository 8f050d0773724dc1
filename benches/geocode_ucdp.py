#!/usr/bin/env python3
"""Geocoding benchmark on real place names: UCDP GED rows with their coordinates removed.

    python3 benches/geocode_ucdp.py [--bin target/release/borderwatch] [--realdata DIR]
                                    [--places FILE] [--show N] [--keep DIR] [--prec 1,2,3]

Takes the distinct places (country, adm_1, adm_2, where_coordinates) of the UCDP GED rows in
../shared/realdata (the HDX Pakistan file and the 23.1 sample) whose `where_prec` is 1-3,
blanks their latitude, longitude and geom_wkt, runs `borderwatch geocode` on them as a UCDP
export, and compares each answer with UCDP's own point:

- within tolerance: the answer lies within 25 km of UCDP's point (50 km for where_prec 3, a
  district centroid);
- truth beyond radius: UCDP's point lies farther from the answer than the uncertainty radius
  the tool stated (the worst error: a confident wrong place). A 1 km allowance covers the
  rounding of UCDP's coordinates.

Rows left unmatched count as neither (they are listed, with their reason). `--prec 4,5` runs
the same on UCDP's province- and line-precision rows instead: there only the share beyond the
radius means something (UCDP's point is a province centroid or a point on a line). Standard library
only; the real rows are read in place and never copied into the repository.
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

FILES = ["ucdp_ged_v22_1_hdx_pak.csv", "ucdp_ged_v23_1_sample_afg_pak_tjk.csv"]
BLANKED = ("latitude", "longitude", "geom_wkt")


def km(lon1, lat1, lon2, lat2):
    """Great-circle distance on a 6371 km sphere (plenty for 25 km tolerances)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def distinct_rows(realdata, precisions=("1", "2", "3")):
    """First row of every distinct (country, adm_1, adm_2, where_coordinates) of the given
    where_prec values."""
    seen, rows, header = set(), [], None
    for name in FILES:
        with open(os.path.join(realdata, name), newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = header or reader.fieldnames
            for r in reader:
                if r["where_prec"] not in precisions:
                    continue
                key = (r["country"], r["adm_1"], r["adm_2"], r["where_coordinates"])
                if key in seen:
                    continue
                seen.add(key)
                rows.append({k: r.get(k, "") for k in header})
    return header, rows


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(root, "target/release/borderwatch"))
    ap.add_argument("--realdata", default=os.path.join(root, "../shared/realdata"))
    ap.add_argument("--places", help="a --places file passed on to geocode")
    ap.add_argument("--show", type=int, default=15, help="worst answers to list")
    ap.add_argument("--keep", help="keep the input and outputs in this folder")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--prec", default="1,2,3", help="UCDP where_prec values to take")
    a = ap.parse_args()
    if not os.path.isdir(a.realdata):
        sys.exit(f"no real data at {a.realdata} (see its SOURCES.md); nothing to measure")
    precisions = tuple(p.strip() for p in a.prec.split(","))
    header, rows = distinct_rows(a.realdata, precisions)
    work = a.keep or tempfile.mkdtemp(prefix="bw-geocode-bench-")
    os.makedirs(work, exist_ok=True)
    inp = os.path.join(work, "ucdp_names.csv")
    with open(inp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if k in BLANKED else v) for k, v in r.items()})
    out = os.path.join(work, "incidents.geojson")
    cmd = [a.bin, "geocode", inp, "-o", out, "--unmatched", os.path.join(work, "unmatched.csv"), "-q"]
    if a.places:
        cmd += ["--places", a.places]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    truth = {r["id"]: r for r in rows}
    with open(out, encoding="utf-8") as f:
        feats = json.load(f)["features"]
    within = beyond = 0
    by_method = {}
    worst = []
    for ft in feats:
        pr = ft["properties"]
        t = truth[str(pr["incident_id"])]
        lon, lat = ft["geometry"]["coordinates"][:2]
        d = km(lon, lat, float(t["longitude"]), float(t["latitude"]))
        tol = 50.0 if t["where_prec"] == "3" else 25.0
        radius = pr.get("uncertainty_km") or 0.0
        ok = d <= tol
        over = d > radius + 1.0
        within += ok
        beyond += over
        m = by_method.setdefault(pr.get("locate_method"), [0, 0, 0])
        m[0] += 1
        m[1] += ok
        m[2] += over
        if over:
            worst.append((d - radius, d, radius, t, pr))
    n = len(rows)
    located = len(feats)
    figures = {
        "names": n,
        "located": located,
        "unmatched": n - located,
        "within_tolerance": within,
        "within_tolerance_share": round(within / n, 4),
        "truth_beyond_radius": beyond,
        "truth_beyond_radius_share": round(beyond / n, 4),
        "by_method": {k: {"n": v[0], "within": v[1], "beyond": v[2]} for k, v in sorted(by_method.items(), key=lambda kv: str(kv[0]))},
    }
    if a.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{n} distinct UCDP place names (where_prec {a.prec}), coordinates removed; {located} located, {n - located} unmatched")
    print(f"within tolerance (25 km; 50 km for district rows): {within} = {100 * within / n:.1f}%")
    print(f"truth beyond the stated radius:                    {beyond} = {100 * beyond / n:.1f}%")
    print("by method: n / within / beyond")
    for k, v in figures["by_method"].items():
        print(f"  {k}: {v['n']} / {v['within']} / {v['beyond']}")
    worst.sort(key=lambda w: -w[0])
    if worst and a.show:
        print(f"worst {min(a.show, len(worst))} of the answers whose truth lies beyond their radius:")
        for _, d, radius, t, pr in worst[: a.show]:
            print(f"  {t['where_coordinates']!r} ({t['adm_2']}, {t['adm_1']}; prec {t['where_prec']}): "
                  f"{d:.0f} km off, radius {radius:g} — {pr.get('explanation')}")


if __name__ == "__main__":
    main()
