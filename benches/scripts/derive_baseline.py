#!/usr/bin/env python3
"""Writes benches/src/baseline.rs: plain `#[derive(Deserialize)]` structs inferred from the
sample bodies the instruction-count bench decodes, the way quicktype infers them.

    python3 benches/scripts/derive_baseline.py && rustfmt --edition 2021 benches/src/baseline.rs

The inference (what quicktype's Rust output does for one or a few samples):
- an object is a struct; unknown fields are dropped (serde's default);
- a field missing from some merged objects, or null in some, is `Option<T>`;
  a field that is only ever null is `Option<serde_json::Value>`;
- integers are `i64`, integers mixed with floats `f64`, strings `String` (enums too),
  an empty or mixed-kind array `Vec<serde_json::Value>`, mixed kinds `serde_json::Value`;
- types are written as absolute paths (`::std::option::Option`), since a sample's key may
  name a struct `Option` or `Value`;
- array elements are merged into one type; structurally identical structs are emitted once.
"""

import json
import keyword
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "benches", "src", "baseline.rs")

# (root struct name, body file relative to the repository root). Keep in step with
# `SHOPIFY_BODIES` in benches/src/lib.rs.
SAMPLES = [
    ("OrdersCreate", "catalog/examples/shopify/orders_create.json"),
    ("RefundsCreate", "catalog/examples/shopify/refunds_create.json"),
    ("ProductsUpdate", "catalog/examples/shopify/products_update.json"),
    ("CustomersCreate", "catalog/examples/shopify/customers_create.json"),
    ("ThemesDelete", "catalog/examples/shopify/themes_delete.json"),
    ("RealOrdersCreate", "catalog/examples/real/shopify/orders_create_triggerdev.json"),
    ("RealOrdersCancelled", "catalog/examples/real/shopify/orders_cancelled_activepieces.json"),
    ("RealRefundsCreate", "catalog/examples/real/shopify/refunds_create_triggerdev.json"),
    ("RealProductsUpdate", "catalog/examples/real/shopify/products_update_activepieces.json"),
    ("RealCustomersCreate", "catalog/examples/real/shopify/customers_create_triggerdev.json"),
    ("RealInventoryLevelsUpdate", "catalog/examples/real/shopify/inventory_levels_update_triggerdev.json"),
]

RUST_KEYWORDS = {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
}


# Types: ("null",), ("bool",), ("int",), ("float",), ("str",), ("any",),
# ("array", elem or None), ("object", {key: [type, count]}, n_objects), ("opt", inner).
def infer(value):
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool",)
    if isinstance(value, int):
        return ("int",)
    if isinstance(value, float):
        return ("float",)
    if isinstance(value, str):
        return ("str",)
    if isinstance(value, list):
        elem = None
        for item in value:
            elem = infer(item) if elem is None else merge(elem, infer(item))
        return ("array", elem)
    fields = {key: [infer(item), 1] for key, item in value.items()}
    return ("object", fields, 1)


def merge(a, b):
    if a[0] == "opt" or b[0] == "opt" or a[0] == "null" or b[0] == "null":
        inner_a = a[1] if a[0] == "opt" else (None if a[0] == "null" else a)
        inner_b = b[1] if b[0] == "opt" else (None if b[0] == "null" else b)
        if inner_a is None and inner_b is None:
            return ("null",)
        inner = inner_b if inner_a is None else inner_a if inner_b is None else merge(inner_a, inner_b)
        return ("opt", inner)
    if a[0] == b[0] == "object":
        fields = {key: [t, c] for key, (t, c) in a[1].items()}
        for key, (t, c) in b[1].items():
            if key in fields:
                fields[key] = [merge(fields[key][0], t), fields[key][1] + c]
            else:
                fields[key] = [t, c]
        return ("object", fields, a[2] + b[2])
    if a[0] == b[0] == "array":
        if a[1] is None:
            return b
        if b[1] is None:
            return a
        return ("array", merge(a[1], b[1]))
    if {a[0], b[0]} == {"int", "float"}:
        return ("float",)
    if a[0] == b[0] and a[0] in ("bool", "int", "float", "str"):
        return a
    return ("any",)


def camel(name):
    parts = re.split(r"[^0-9A-Za-z]+", name)
    out = "".join(p[:1].upper() + p[1:] for p in parts if p)
    return out or "Field"


def field_ident(key):
    ident = re.sub(r"[^0-9A-Za-z_]", "_", key)
    ident = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ident).lower()
    if not ident or ident[0].isdigit():
        ident = "_" + ident
    if ident in RUST_KEYWORDS:
        ident = "r#" + ident
    return ident


class Emitter:
    def __init__(self):
        self.structs = []  # (name, body text)
        self.by_body = {}  # body text -> name
        self.names = set()

    def rust(self, t, name_hint):
        kind = t[0]
        if kind == "null":
            return "::std::option::Option<::serde_json::Value>"
        if kind == "opt":
            return "::std::option::Option<%s>" % self.rust(t[1], name_hint)
        if kind == "bool":
            return "bool"
        if kind == "int":
            return "i64"
        if kind == "float":
            return "f64"
        if kind == "str":
            return "::std::string::String"
        if kind == "any":
            return "::serde_json::Value"
        if kind == "array":
            if t[1] is None:
                return "::std::vec::Vec<::serde_json::Value>"
            return "::std::vec::Vec<%s>" % self.rust(t[1], singular(name_hint))
        return self.struct(t, name_hint)

    def struct(self, t, name):
        _, fields, count = t
        lines = []
        for key, (ft, seen) in fields.items():
            ty = self.rust(ft, camel(key))
            if seen < count and not ty.startswith("::std::option::Option<"):
                ty = "::std::option::Option<%s>" % ty
            ident = field_ident(key)
            if ident.removeprefix("r#") != key:
                lines.append('    #[serde(rename = "%s")]' % key)
            lines.append("    pub %s: %s," % (ident, ty))
        body = "\n".join(lines)
        if body in self.by_body:
            return self.by_body[body]
        unique, n = name, 2
        while unique in self.names:
            unique, n = "%s%d" % (name, n), n + 1
        self.names.add(unique)
        self.by_body[body] = unique
        self.structs.append((unique, body))
        return unique


def singular(name):
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name + "Item"


def main():
    emitter = Emitter()
    for root, path in SAMPLES:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            value = json.load(f)
        name = emitter.struct(infer(value), root)
        if name != root:
            sys.exit("%s: same shape as %s" % (root, name))
    out = [
        "//! Generated by `python3 benches/scripts/derive_baseline.py`, do not edit by hand.",
        "//!",
        "//! Plain serde-derive structs inferred from the Shopify sample bodies the",
        "//! instruction-count bench decodes (`benches/benches/instructions.rs`), as quicktype would",
        "//! write them: unknown fields dropped, `Option` for absent or null, `String` for enums.",
        "//! The baseline the issue's decode goal is measured against.",
        "#![allow(missing_docs)]",
        "",
        "use serde::Deserialize;",
        "",
    ]
    for name, body in emitter.structs:
        out.append("#[derive(Debug, Deserialize)]")
        out.append("pub struct %s {" % name)
        if body:
            out.append(body)
        out.append("}")
        out.append("")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    print("%s: %d structs" % (os.path.relpath(OUT, ROOT), len(emitter.structs)))


if __name__ == "__main__":
    main()
