//! Every example file under `catalog/examples/` decodes through its platform's generated
//! `Event` into the right variant and re-encodes to the identical JSON (numbers compared
//! exactly: `1` and `1.0` differ). Files are discovered on disk, so a new example is covered
//! without code changes; every failure is reported, not only the first.

use std::collections::BTreeMap;
use std::path::Path;

use commerce_webhooks::{bigcommerce, ecwid, shopify, DecodeError};
use commerce_webhooks_tests::api::apis;
use commerce_webhooks_tests::{assert_no_failures, catalog_dir, model};
use serde_json::Value;

/// Decodes `body` as a delivery of `topic` and returns (re-encoded body, decoded topic).
fn round_trip(platform: &str, topic: &str, body: &[u8]) -> Result<(Value, String), DecodeError> {
    let api = apis().into_iter().find(|api| api.id == platform).expect("a generated module per platform");
    (api.from_delivery)(topic, body).map(|decoded| (decoded.json, decoded.topic))
}

/// The example bodies under `dir`'s platform folders (`bus/` holds event-bus envelopes, with
/// their own manifest and test, tests/tests/bus.rs).
fn example_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for platform in std::fs::read_dir(dir).into_iter().flatten().flatten().filter(|entry| entry.file_name() != "bus") {
        for file in std::fs::read_dir(platform.path()).into_iter().flatten().flatten() {
            if file.path().extension().is_some_and(|e| e == "json") {
                files.push(file.path());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_example_decodes_to_its_topic_and_re_encodes_identically() {
    let model = model();
    let root = catalog_dir();
    let mut failures = Vec::new();
    let files = example_files(&root.join("examples"));
    assert!(!files.is_empty(), "no example files found under catalog/examples");
    for path in &files {
        let relative = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let owners: Vec<(&str, &str)> = model
            .platforms
            .iter()
            .flat_map(|p| p.events.iter().map(move |e| (p, e)))
            .filter(|(_, e)| e.examples.iter().any(|x| x.file == relative))
            .map(|(p, e)| (p.id.as_str(), e.topic.as_str()))
            .collect();
        if owners.is_empty() {
            failures.push(format!("{relative}: no event of the catalog lists this example"));
        }
        let body = std::fs::read(path).unwrap();
        let original: Value = match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(e) => {
                failures.push(format!("{relative}: not JSON: {e}"));
                continue;
            }
        };
        for (platform, topic) in owners {
            match round_trip(platform, topic, &body) {
                Ok((encoded, decoded_topic)) => {
                    if decoded_topic != topic {
                        failures.push(format!("{relative}: decoded as `{decoded_topic}`, expected `{topic}`"));
                    }
                    if encoded != original {
                        failures.push(format!("{relative} ({topic}): re-encoding differs from the file"));
                    }
                }
                Err(e) => failures.push(format!("{relative} ({platform} `{topic}`): {e}")),
            }
        }
    }
    assert_no_failures(&format!("failures among {} example files", files.len()), &failures);
}

#[test]
fn every_listed_example_exists() {
    let model = model();
    let mut failures = Vec::new();
    for platform in &model.platforms {
        for event in &platform.events {
            for example in &event.examples {
                if !catalog_dir().join(&example.file).is_file() {
                    failures.push(format!("{} `{}`: {} does not exist", platform.id, event.topic, example.file));
                }
            }
        }
    }
    assert_no_failures("missing example files", &failures);
}

/// One entry of `catalog/examples/real/manifest.yaml`.
#[derive(serde::Deserialize)]
struct RealPayload {
    file: String,
    platform: String,
    topic: String,
    source: serde_yaml::Value,
    status: String,
}

/// The real-world payloads (collected outside this repository, with provenance) reach the
/// application through the whole receiving path: signed, verified, decoded losslessly, or
/// handed over undecoded with the exact body. None is lost, and every one is in the manifest.
#[test]
fn every_real_payload_reaches_the_application() {
    let root = catalog_dir().join("examples/real");
    let manifest: BTreeMap<String, Vec<RealPayload>> =
        serde_yaml::from_str(&std::fs::read_to_string(root.join("manifest.yaml")).unwrap()).unwrap();
    let payloads = &manifest["payloads"];
    let mut failures = Vec::new();
    let listed: Vec<&str> = payloads.iter().map(|p| p.file.as_str()).collect();
    for path in example_files(&root) {
        let relative = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        if !listed.contains(&relative.as_str()) {
            failures.push(format!("{relative}: not in manifest.yaml"));
        }
    }
    // platform -> [lossless, lossless with values kept as received, undecoded but handed over]
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for payload in payloads {
        let label = format!("real/{} ({} `{}`)", payload.file, payload.platform, payload.topic);
        if !["verbatim", "converted", "repaired"].contains(&payload.status.as_str()) || payload.source.is_null() {
            failures.push(format!("{label}: provenance incomplete (status `{}`)", payload.status));
        }
        let Some(api) = apis().into_iter().find(|api| api.id == payload.platform) else {
            failures.push(format!("{label}: no platform `{}`", payload.platform));
            continue;
        };
        let body = std::fs::read(root.join(&payload.file)).unwrap();
        let original: Value = serde_json::from_slice(&body).unwrap();
        let received = match (api.receive)(&payload.topic, &body) {
            Ok(received) => received,
            Err(error) => {
                failures.push(format!("{label}: refused: {error}"));
                continue;
            }
        };
        if received.body != body {
            failures.push(format!("{label}: the delivery does not hold the body received"));
        }
        let count = counts.entry(api.id).or_default();
        match received.decoded {
            Ok(decoded) if decoded.json != original => failures.push(format!("{label}: re-encoding differs")),
            Ok(decoded) if decoded.topic != payload.topic => {
                failures.push(format!("{label}: decoded as topic `{}`", decoded.topic));
            }
            Ok(decoded) if decoded.mismatches.is_empty() => count[0] += 1,
            Ok(decoded) => {
                eprintln!("   {label}: kept as received: {}", decoded.mismatches.join(", "));
                count[1] += 1;
            }
            Err(error) => {
                eprintln!("   {label}: handed over undecoded: {error}");
                count[2] += 1;
            }
        }
    }
    eprintln!("== real payloads: lossless / lossless with values kept as received / undecoded, handed over");
    for (platform, [clean, kept, undecoded]) in &counts {
        eprintln!("   {platform:<11} {clean} / {kept} / {undecoded}");
    }
    assert!(payloads.len() >= 4, "the real example set is nearly empty");
    assert_no_failures(&format!("failures among {} real payloads", payloads.len()), &failures);
}

/// An app serving several platforms routes `order`/`created` the same way for all of them.
#[test]
fn the_cross_platform_view_lines_events_up() {
    use commerce_webhooks::{Action, Entity, WebhookEvent};
    fn meaning<E: WebhookEvent>(event: &E) -> (&'static str, Option<Entity>, Option<Action>) {
        (event.platform(), event.entity(), event.action())
    }
    let example = |path: &str| std::fs::read(catalog_dir().join(path)).unwrap();
    let orders = [
        meaning(
            &shopify::Event::from_delivery("orders/create", &example("examples/shopify/orders_create.json")).unwrap(),
        ),
        meaning(&bigcommerce::Event::from_body(&example("examples/bigcommerce/store_order_created.json")).unwrap()),
        meaning(&ecwid::Event::from_body(&example("examples/ecwid/order_created.json")).unwrap()),
    ];
    for (platform, entity, action) in orders {
        assert_eq!((entity, action), (Some(Entity::Order), Some(Action::Created)), "{platform}");
    }
    assert_eq!(orders.map(|(platform, ..)| platform), ["shopify", "bigcommerce", "ecwid"]);
}
