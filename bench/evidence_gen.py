#!/usr/bin/env python3
"""Writes keyed, chained audit logs in the format audit_append writes (bench/evidence.sh).
usage: evidence_gen.py DIR LOGS RECORDS_PER_LOG"""
import hashlib, hmac, json, os, random, sys

KEY = b"0123456789abcdef0123456789abcdef"
PUSHERS = ["alice", "bob", "carol", "dave", "erin", "frank"]
RULES = ["github.pat", "aws.access-key", "generic.password", "slack.token"]


def main():
    out, logs, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for n in range(logs):
        d = os.path.join(out, f"srv{n}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "vigil-audit.key"), "wb") as k:
            k.write(KEY + b"\n")
        os.chmod(os.path.join(d, "vigil-audit.key"), 0o600)
        rnd = random.Random(n)
        prev = "genesis"
        t0 = 1772438400 + n * 7  # 2026-03-02
        with open(os.path.join(d, "vigil-audit.jsonl"), "w") as f:
            for i in range(1, per + 1):
                r = rnd.randrange(100)
                decision = "accept" if r < 88 else "reject" if r < 97 else "bypass"
                pusher = rnd.choice(PUSHERS)
                ts = t0 + i * 30
                rec = {"time": __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(ts)),
                       "hook": "pre-receive", "repo": f"srv{n}/repo{rnd.randrange(50)}.git", "pusher": pusher,
                       "updates": [{"ref": "refs/heads/main", "old": "a" * 40, "new": "b" * 40}],
                       "decision": decision, "duration_ms": 12.5, "vigil_version": "bench", "rules_version": "rv1",
                       "skips": [], "seq": i, "prev": prev}
                findings = []
                if decision != "accept" or r % 9 == 0:
                    disp = {"reject": "block", "bypass": "bypassed"}.get(decision, "waived")
                    fd = {"rule": rnd.choice(RULES), "severity": "high", "path": "app/config.env",
                          "disposition": disp, "fingerprint": "github.pat:%08x" % rnd.getrandbits(32)}
                    if disp == "waived":
                        fd["note"] = "waived by waiver 'W-1' (owner sec@example.com)"
                        fd["kind"] = "false-positive" if r % 2 else "accepted-risk"
                    findings.append(fd)
                rec["findings"] = findings
                if decision == "bypass":
                    rec["bypass"] = {"reason": "hotfix", "by": pusher}
                line = json.dumps(rec, sort_keys=True, separators=(",", ":"))
                mac = hmac.new(KEY, b"vigil-audit-v1\n" + line.encode(), hashlib.sha256).hexdigest()
                line = line[:-1] + ',"mac":"' + mac + '"}'
                f.write(line + "\n")
                prev = hashlib.sha256(line.encode()).hexdigest()
        hm = hmac.new(KEY, f"vigil-audit-head-v1 {per} {prev}".encode(), hashlib.sha256).hexdigest()
        with open(os.path.join(d, "vigil-audit.jsonl.head"), "w") as h:
            h.write(f"{per} {prev} {hm}\n")


main()
