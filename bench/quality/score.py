#!/usr/bin/env python3
"""Scores a scanner's findings against bench/quality's labels.

    score.py LABELS FINDINGS TOOL

FINDINGS holds one "path<TAB>line" per finding, paths relative to the corpus's files/ directory.
A positive counts as found when a finding falls on one of its lines. A finding counts as true when
it falls on a positive's lines; every other finding (on a negative or on filler) is a false alarm.
Prints one summary line for the tool, then recall per family. With --kinds, also recall per kind
(for the real-code corpus: the file type a credential sits in) and false alarms per negative family,
so precision can be read per category. With --json, a JSON object instead.
"""
import collections
import json
import sys


def main():
    labels_path, findings_path, tool = sys.argv[1:4]
    as_json = "--json" in sys.argv
    labels = [json.loads(l) for l in open(labels_path)]
    by_path = collections.defaultdict(list)
    for i, l in enumerate(labels):
        by_path[l["path"]].append(i)
    hit = set()
    tp = fp = 0
    fp_kinds = collections.Counter()
    fp_families = collections.Counter()
    for line in open(findings_path, errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        path, _, ln = line.rpartition("\t")
        try:
            ln = int(ln)
        except ValueError:
            continue
        match = None
        for i in by_path.get(path, []):
            l = labels[i]
            if l["line"] <= ln <= l["last_line"]:
                match = i
                break
        if match is not None and labels[match]["label"] == "positive":
            tp += 1
            hit.add(match)
        else:
            fp += 1
            fp_kinds[labels[match]["kind"] if match is not None else "filler"] += 1
            fp_families[labels[match]["family"] if match is not None else "filler"] += 1
    fam_total = collections.Counter()
    fam_hit = collections.Counter()
    kind_total = collections.Counter()
    kind_hit = collections.Counter()
    neg_fp = collections.Counter()
    neg_total = collections.Counter()
    for i, l in enumerate(labels):
        if l["label"] != "positive":
            neg_total[l["family"]] += 1
            continue
        fam_total[l["family"]] += 1
        kind_total[l["kind"]] += 1
        if i in hit:
            fam_hit[l["family"]] += 1
            kind_hit[l["kind"]] += 1
    positives = sum(fam_total.values())
    recall = len(hit) / positives if positives else 0.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    if as_json:
        print(json.dumps({"tool": tool, "recall": recall, "precision": precision, "found": len(hit), "positives": positives,
                          "false_alarms": fp, "families": {f: [fam_hit[f], fam_total[f]] for f in sorted(fam_total)},
                          "kinds": {k: [kind_hit[k], kind_total[k]] for k in sorted(kind_total)},
                          "false_alarm_kinds": dict(fp_kinds)}))
        return
    print("%-24s recall %5.1f %% (%d/%d)  precision %.3f  false alarms %d %s" % (
        tool, 100 * recall, len(hit), positives, precision, fp,
        ("(" + ", ".join("%s %d" % kv for kv in fp_kinds.most_common(6)) + ")") if fp else ""))
    weak = [(fam_hit[f] / fam_total[f], f) for f in fam_total]
    weak.sort()
    print("  per family (found/planted): " + ", ".join("%s %d/%d" % (f, fam_hit[f], fam_total[f]) for _, f in weak))
    if "--kinds" in sys.argv:
        weak = sorted((kind_hit[k] / kind_total[k], k) for k in kind_total)
        print("  per kind (found/planted): " + ", ".join("%s %d/%d" % (k, kind_hit[k], kind_total[k]) for _, k in weak))
        print("  false alarms per negative family (alarms/planted): " + ", ".join(
            "%s %d/%d" % (f, fp_families[f], neg_total[f]) for f in sorted(neg_total)) +
            (", filler %d" % fp_families["filler"] if fp_families["filler"] else ""))


if __name__ == "__main__":
    main()
