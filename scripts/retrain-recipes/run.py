#!/usr/bin/env python3
# Copies the prepared state and runs one retrain with env overrides; prints the gate's figures.
# Usage: run.py TEMPLATE KEY=VALUE...   (keys as SIFT_RETRAIN_X env names, e.g. LEARNING_RATE=3e-4)
import json, os, shutil, sqlite3, subprocess, sys, tempfile
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.environ.get("SIFT_BIN", os.path.join(root, ".build/release"))
t = os.path.abspath(sys.argv[1])
d = tempfile.mkdtemp(prefix="sift-recipe-")
shutil.copytree(f"{t}/state", f"{d}/state")
cfg = open(f"{t}/siftd.yaml").read().replace(t, d)
open(f"{d}/siftd.yaml", "w").write(cfg)
env = dict(os.environ)
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1); env["SIFT_RETRAIN_" + k.upper()] = v
r = subprocess.run([os.path.join(B, "siftd"), "train", "--config", f"{d}/siftd.yaml"], capture_output=True, text=True, env=env)
db = sqlite3.connect(f"{d}/state/sift.sqlite")
m = db.execute("select metrics, error from training_runs order by id desc limit 1").fetchone()
print(r.stdout[-800:], r.stderr[-800:]) if os.environ.get("SHOW") else None
if m[0] is None:
    print("FAILED", m[1], r.stderr[-500:]); sys.exit(1)
rep = json.loads(m[0])
g = rep.get("gate", {})
out = {"args": " ".join(sys.argv[2:]), "decision": rep.get("decision"), "secs": round(rep["seconds"], 1)}
for h in ("labels", "seed"):
    if h in g:
        out[h] = f'{g[h]["active_balanced_accuracy"]*100:.1f}->{g[h]["candidate_balanced_accuracy"]*100:.1f} ({g[h]["difference"]*100:+.1f})'
    out[h + "_acc"] = f'{rep["active"][h]["accuracy"]*100:.1f}->{rep["candidate"][h]["accuracy"]*100:.1f}' if h in rep["candidate"] else None
print(json.dumps(out))
if os.environ.get("SHOW"): print("\n".join(rep["reasons"]))
shutil.rmtree(d)
