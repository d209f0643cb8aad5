#!/usr/bin/env python3
# Summarizes run.py's lines for one recipe: seed and labels holdout changes, decisions.
import json,sys,re
rows=[json.loads(l) for l in sys.stdin if l.startswith("{")]
def d(s): return float(re.search(r"\(([-+0-9.]+)\)", s).group(1))
seed=[d(r["seed"]) for r in rows]; lab=[d(r["labels"]) for r in rows]
dec={}
for r in rows: dec[r["decision"]]=dec.get(r["decision"],0)+1
secs=sum(r["secs"] for r in rows)/len(rows)
print(f"{sys.argv[1]:58s} seed BA diff mean {sum(seed)/len(seed):+.2f} worst {min(seed):+.2f} | labels mean {sum(lab)/len(lab):+.1f} worst {min(lab):+.1f} | {dec} | {secs:.1f}s", flush=True)
