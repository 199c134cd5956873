#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/seeds/<target>/ from the repository:

- topics, patterns: the topic names and groups of catalog/<platform>.yaml (`topic:` and
  `pattern:` lines);
- decode, verify: every example body under catalog/examples/ (the catalogs' `file:` lines
  say which topic each is for; catalog/examples/real/manifest.yaml for the real ones), for
  verify signed as the platform signs it with the fuzz secret;
- catalog: the files of tests/fixtures/tiny/catalog that the target replaces.

Standard library only. Run from anywhere: `python3 fuzz/make_seeds.py`. It replaces the
seed folders, so the seeds always match the catalogs.
"""

import base64
import hashlib
import hmac
import json
import re
import shutil
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
CATALOG = ROOT / "catalog"
SEEDS = FUZZ / "seeds"

# The order of fuzz_support::PLATFORMS: the first input byte selects the platform (byte % 4).
PLATFORMS = ["shopify", "bigcommerce", "shopware", "ecwid"]
SECRET = b"commerce-webhooks fuzz secret"  # fuzz_support::SECRET
NOW = 1_700_000_000  # fuzz_support::NOW
TINY_FILES = ["tiny.yaml", "shapes/tiny.yaml", "vocabulary.yaml", "examples/tiny/products_update.json"]


def unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def catalog_entries(platform):
    """(topics, groups, [(topic, example file)]) of one platform catalog, read line by line."""
    topics, groups, examples = [], [], []
    current = None
    for line in (CATALOG / f"{platform}.yaml").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^  - topic:\s*(.+?)\s*$", line)
        if m:
            current = unquote(m.group(1))
            topics.append(current)
            continue
        m = re.match(r"^  - pattern:\s*(.+?)\s*$", line)
        if m:
            groups.append(unquote(m.group(1)))
            continue
        m = re.search(r"\bfile:\s*(examples/[^,}\s]+\.json)", line)
        if m and current is not None:
            examples.append((current, m.group(1)))
    return topics, groups, examples


def real_examples():
    """[(platform, topic, file)] from the real payloads' manifest."""
    out, entry = [], {}
    manifest = CATALOG / "examples" / "real" / "manifest.yaml"
    for line in manifest.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^  - file:\s*(.+?)\s*$", line)
        if m:
            entry = {"file": unquote(m.group(1))}
            out.append(entry)
            continue
        m = re.match(r"^    (platform|topic):\s*(.+?)\s*$", line)
        if m and entry:
            entry[m.group(1)] = unquote(m.group(2))
    return [(e["platform"], e["topic"], "examples/real/" + e["file"]) for e in out if "platform" in e and "topic" in e]


def mac(message):
    return hmac.new(SECRET, message, hashlib.sha256).digest()


def signed_text(value):
    return value if isinstance(value, str) else json.dumps(value)


def signed_headers(platform, topic, body, events=False):
    """The header lines of a delivery of `body` as the platform signs it (see the verify target);
    `events`: Shopify's `events` header family."""
    if platform == "shopify" and events:
        return [
            f"Shopify-Hmac-Sha256: {base64.b64encode(mac(body)).decode()}",
            f"Shopify-Topic: {topic}",
            "Shopify-Shop-Domain: toys.myshopify.com",
            "Shopify-Event-Id: 7f1e6c1a-3c9f-4a4e-9b1e-0d3c2a1b4e5f",
            "Shopify-API-Version: 2026-07",
        ]
    if platform == "shopify":
        return [
            f"X-Shopify-Hmac-Sha256: {base64.b64encode(mac(body)).decode()}",
            f"X-Shopify-Topic: {topic}",
            "X-Shopify-Shop-Domain: toys.myshopify.com",
            "X-Shopify-Webhook-Id: b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            "X-Shopify-API-Version: 2026-07",
        ]
    if platform == "bigcommerce":
        signature = base64.b64encode(mac(f"msg_seed.{NOW}.".encode() + body)).decode()
        return ["webhook-id: msg_seed", f"webhook-timestamp: {NOW}", f"webhook-signature: v1,{signature}"]
    if platform == "shopware":
        return [f"shopware-shop-signature: {mac(body).hex()}", "sw-version: 6.6.0.0"]
    value = json.loads(body)
    message = f"{signed_text(value.get('eventCreated', ''))}.{signed_text(value.get('eventId', ''))}"
    return [f"X-Ecwid-Webhook-Signature: {base64.b64encode(mac(message.encode())).decode()}"]


def write(target, name, data):
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def main():
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    examples = []
    for index, platform in enumerate(PLATFORMS):
        selector = bytes([index])
        topics, groups, platform_examples = catalog_entries(platform)
        examples += [(platform, topic, file) for topic, file in platform_examples]
        for number, topic in enumerate(topics):
            write("topics", f"{platform}-{number:03}", selector + topic.encode())
        write("topics", f"{platform}-unknown", selector + b"zz/new.topic")
        # patterns: pattern lines, an empty line, then topics to probe.
        separators = sorted({c for t in topics for c in t if c in "/."})
        prefixes = sorted({t[: i + 1] + "*" for t in topics for i, c in enumerate(t) if c in separators})
        probes = "\n".join(topics[:5] + ["zz/new.topic"])
        write("patterns", f"{platform}-star", selector + f"*\n\n{probes}".encode())
        for number, pattern in enumerate(groups + prefixes[:20]):
            write("patterns", f"{platform}-prefix-{number:03}", selector + f"{pattern}\n\n{probes}".encode())
        for number, topic in enumerate(topics[:10]):
            write("patterns", f"{platform}-exact-{number:03}", selector + f"{topic}\n{topics[-1]}\n\n{topic}\nzz".encode())
    examples += real_examples()
    for platform, topic, file in examples:
        body = (CATALOG / file).read_bytes()
        selector = bytes([PLATFORMS.index(platform)])
        name = file.removeprefix("examples/").replace("/", "-").removesuffix(".json")
        # decode: platform byte, topic, newline, body.
        write("decode", name, selector + topic.encode() + b"\n" + body)
        # verify: platform byte, options byte (0: the fuzz secret), time byte (128: about the
        # clock), header lines, an empty line, the body. Ecwid signs its body's eventCreated,
        # which must be recent: the seed's is the target's clock.
        if platform == "ecwid":
            body = re.sub(rb'("eventCreated"\s*:\s*)\d+', rb"\g<1>%d" % NOW, body, count=1)
        head = "\n".join(signed_headers(platform, topic, body)).encode()
        write("verify", name, selector + bytes([0, 128]) + head + b"\n\n" + body)
        if platform == "shopify" and name.endswith("create"):
            head = "\n".join(signed_headers(platform, topic, body, events=True)).encode()
            write("verify", name + "-events", selector + bytes([0x80, 128]) + head + b"\n\n" + body)
    fixture = ROOT / "tests" / "fixtures" / "tiny" / "catalog"
    for index, file in enumerate(TINY_FILES):
        write("catalog", file.replace("/", "-"), bytes([index]) + (fixture / file).read_bytes())
    for target in sorted(p.name for p in SEEDS.iterdir()):
        files = list((SEEDS / target).iterdir())
        print(f"{target}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
