#!/usr/bin/env python3
# Builds the scenario's state once: cold start r1 on the golden tiny model, then 80 new-kind
# spam labels (ham + signature) through a real siftd. Usage: prepare.py DIR [N]
import json, os, socket, subprocess, sys, time
d = os.path.abspath(sys.argv[1]); os.makedirs(d, exist_ok=True)
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.environ.get("SIFT_BIN", os.path.join(root, ".build/release"))
shared = os.environ.get("SIFT_SHARED", os.path.join(root, "../shared"))
sms = os.path.abspath(os.path.join(shared, "data/sms-spam-collection/SMSSpamCollection"))
cfg = f"""socket: {{path: {d}/s.sock}}
state_dir: {d}/state
model:
  base: {os.path.abspath(os.path.join(shared, "golden/tiny-gpt2"))}
  classifier: {d}/none.safetensors
retrain:
  enabled: false
  seed_data: {sms}
  trainable: all
  learning_rate: 0.001
  epochs: 3
  threads: 1
  nice: 0
log: {{level: warning}}
"""
open(f"{d}/siftd.yaml", "w").write(cfg)
r = subprocess.run([f"{B}/siftd", "train", "--config", f"{d}/siftd.yaml"], capture_output=True, text=True)
print(r.stdout, r.stderr)
p = subprocess.Popen([f"{B}/siftd", "--config", f"{d}/siftd.yaml"], stderr=open(f"{d}/log", "w"))
for _ in range(200):
    if os.path.exists(f"{d}/s.sock"): break
    time.sleep(0.1)
time.sleep(0.5)
s = socket.socket(socket.AF_UNIX); s.connect(f"{d}/s.sock"); f = s.makefile("rw")
def call(o):
    f.write(json.dumps(o) + "\n"); f.flush(); return json.loads(f.readline())
rows = [l.split("\t", 1) for l in open(sms, encoding="utf-8").read().split("\n") if "\t" in l]
hams = [t for l, t in rows if l == "ham"]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 80
for t in hams[:n]:
    r = call({"op": "label", "text": t + " see ya at kx9vw.example", "label": "spam"})
    assert r.get("ok"), r
print(call({"op": "health"}))
p.terminate(); p.wait()
