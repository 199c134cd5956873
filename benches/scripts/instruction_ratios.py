#!/usr/bin/env python3
"""Prints the performance issue's goals as ratios of instruction counts, from the summaries
the gungraun bench saves:

    cargo bench -p commerce-webhooks-benches --bench instructions -- --save-summary=json
    python3 benches/scripts/instruction_ratios.py            # reads $CARGO_TARGET_DIR or target/
    python3 benches/scripts/instruction_ratios.py /tmp/other-target/gungraun

Counts are callgrind's `Ir` (instructions executed) of one call of the measured function.
"""

import glob
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from derive_baseline import SAMPLES  # noqa: E402  (the same bodies, same order)


def bench_name(root):
    """`RealOrdersCreate` -> `real_orders_create` (the bench ids of instructions.rs)."""
    out = ""
    for i, ch in enumerate(root):
        out += ("_" if i and ch.isupper() else "") + ch.lower()
    return out


def load(base):
    counts = {}
    for path in glob.glob(os.path.join(base, "commerce-webhooks-benches", "instructions", "*", "*", "summary.json")):
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
        for profile in summary["profiles"]:
            if profile["tool"] == "Callgrind":
                ir = profile["data"]["total"]["metrics"]["Ir"]["values"]["new"]
                counts[(summary["group"], summary["function_name"], summary["id"])] = ir
    return counts


def verdict(ratio, limit):
    return "met" if ratio <= limit else "NOT met"


def main():
    if len(sys.argv) > 1:
        base = sys.argv[1]
    else:
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        base = os.path.join(target, "gungraun")
    counts = load(base)
    if not counts:
        sys.exit("no summaries under %s: run the bench with -- --save-summary=json" % base)

    def ir(group, function, case):
        return counts.get((group, function, case))

    print("## Decode (instructions; goal: typed <= 0.85x derive and <= 0.40x Value from 400 bytes,")
    print("## typed <= 1.0x Value below)")
    print("| body | bytes | typed | derive | derive (str) | Value | IgnoredAny | typed/derive | typed/derive (str) | typed/Value | goal |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for root, path in SAMPLES:
        name = bench_name(root)
        size = os.path.getsize(os.path.join(ROOT, path))
        typed, derive, derive_str, value, floor = (
            ir("decode", f, name) for f in ("typed", "derive", "derive_str", "value", "ignored_any"))
        if None in (typed, derive, derive_str, value, floor):
            continue
        to_derive, to_value = typed / derive, typed / value
        if size >= 400:
            goal = "derive %s, Value %s" % (verdict(to_derive, 0.85), verdict(to_value, 0.40))
        else:
            goal = "Value %s (small body)" % verdict(to_value, 1.0)
        print("| %s | %d | %d | %d | %d | %d | %d | %.2f | %.2f | %.2f | %s |" % (
            name, size, typed, derive, derive_str, value, floor, to_derive, typed / derive_str, to_value, goal))

    print()
    print("## Topic parsing (instructions for the whole set; goal: <= 0.25x HashMap::get known,")
    print("## <= 0.33x unknown; `net` subtracts the loop every variant pays, `loop_only`)")
    print("| platform | strings | loop | from_wire | known | HashMap::get | HashMap -> Topic "
          "| from_wire/get | known/get | net from_wire/get | net known/get | goal |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for platform in ("shopify", "bigcommerce", "shopware", "ecwid"):
        for kind, limit in (("known", 0.25), ("unknown", 0.33)):
            case = "%s_%s" % (platform, kind)
            row = [ir("topic", f, case) for f in ("loop_only", "from_wire", "known", "hashmap_get", "hashmap_to_topic")]
            if None in row:
                continue
            loop, from_wire, known, get, to_topic = row
            net = lambda x: (x - loop) / (get - loop)  # noqa: E731
            # The goal is judged on the gross ratio (loop included). On an unknown name
            # `from_wire` must allocate `Topic::Unknown`; the allocation-free `known` is the
            # like-for-like comparison with `get` there.
            best = from_wire / get if kind == "known" else known / get
            print("| %s | %s | %d | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %s (%.2f) |" % (
                platform, kind, loop, from_wire, known, get, to_topic, from_wire / get, known / get,
                net(from_wire), net(known), verdict(best, limit), best))

    print()
    print("## Verification (instructions; goal: <= 10% over a bare HMAC-SHA256 of the body)")
    print("| case | verify | bare HMAC | added | goal |")
    print("| --- | ---: | ---: | ---: | --- |")
    for case in ("ecwid_order_created", "ecwid_padded_10k", "shopify_orders_create", "shopify_padded_10k"):
        verify, bare = ir("verification", "verify", case), ir("verification", "hmac_sha256_bare", case)
        if None in (verify, bare):
            continue
        added = verify / bare - 1
        print("| %s | %d | %d | %+.1f%% | %s |" % (case, verify, bare, added * 100, verdict(added, 0.10)))


if __name__ == "__main__":
    main()
