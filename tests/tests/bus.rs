//! Event-bus deliveries (`commerce_webhooks::bus`): every envelope of
//! `catalog/examples/bus/manifest.yaml` unwraps, and gives the same delivery as the HTTPS
//! delivery of the same webhook (topic, ids, store, metadata, typed event), marked as carried
//! by its bus and not signed; a delivery record round-trips for both kinds.

use commerce_webhooks::bus::{BusMessage, Transport};
use commerce_webhooks::testing::TestDelivery;
use commerce_webhooks::{
    bigcommerce, shopify, Delivery, DeliveryRecord, DeliveryValue, HeaderLookup as _, Secret, WebhookEvent,
};
use commerce_webhooks_tests::{assert_no_failures, catalog_dir};
use serde_json::Value;

/// The messages an envelope file holds.
fn unwrap(kind: &str, text: &[u8]) -> Vec<BusMessage> {
    let json = || serde_json::from_slice::<Value>(text).unwrap();
    let bodies = |list: &str, field: &str| -> Vec<BusMessage> {
        json()[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|message| BusMessage::from_eventbridge(message[field].as_str().unwrap().as_bytes()).unwrap())
            .collect()
    };
    match kind {
        "eventbridge" => vec![BusMessage::from_eventbridge(text).unwrap()],
        "sqs" => bodies("Messages", "Body"),
        "sqs_lambda" => bodies("Records", "body"),
        "pubsub_push" => vec![BusMessage::from_pubsub_push(text).unwrap()],
        "pubsub_pull" => {
            BusMessage::from_pubsub_pull(text).unwrap().into_iter().map(|pulled| pulled.message.unwrap()).collect()
        }
        other => panic!("unknown kind {other}"),
    }
}

/// The HTTPS delivery of the same webhook: the bus message's headers and body, with the
/// signature headers an HTTPS delivery adds.
fn over_https<E: WebhookEvent>(message: &BusMessage) -> Delivery<E> {
    let topic = Delivery::<E>::from_bus(message).topic().unwrap_or_default().to_owned();
    let signed = TestDelivery::new::<E>(topic, message.body()).headers();
    let signing = [E::DELIVERY.signature_header, "webhook-id", "webhook-timestamp"];
    let mut headers: Vec<(String, String)> =
        signed.into_iter().filter(|(name, _)| signing.iter().any(|s| s.eq_ignore_ascii_case(name))).collect();
    headers.extend(message.headers().iter().filter(|(name, _)| !name.to_ascii_lowercase().contains("hmac")).cloned());
    Delivery::verify_and_decode(&headers, message.body(), &[Secret::new(commerce_webhooks::testing::TEST_SECRET)])
        .expect("the signed copy verifies")
}

/// What two deliveries must agree on.
fn summary<E: WebhookEvent>(delivery: &Delivery<E>, with_id: bool) -> Value {
    serde_json::json!({
        "topic": delivery.topic(),
        "store": delivery.store_id(),
        "id": if with_id { delivery.delivery_id() } else { None },
        "metadata": delivery.metadata_headers().filter(|(m, _)| !m.header.starts_with("webhook-")).map(|(m, v)| (m.name, v)).collect::<Vec<_>>(),
        "event": delivery.event().ok().map(|event| serde_json::to_value(event).unwrap()),
    })
}

fn check<E: WebhookEvent + PartialEq>(
    message: &BusMessage,
    expected_topic: Option<&str>,
    what: &str,
    failures: &mut Vec<String>,
) {
    let bus = Delivery::<E>::from_bus(message);
    if bus.topic() != expected_topic {
        failures.push(format!("{what}: topic {:?}, expected {expected_topic:?}", bus.topic()));
    }
    if bus.transport() != Some(message.transport()) || bus.is_signed(DeliveryValue::Body) {
        failures.push(format!("{what}: not marked as a bus delivery"));
    }
    if bus.body() != message.body() {
        failures.push(format!("{what}: the body is not the message's"));
    }
    let record = serde_json::to_string(&bus.to_record()).unwrap();
    if Delivery::<E>::from_record(&serde_json::from_str::<DeliveryRecord>(&record).unwrap()).as_ref() != Ok(&bus) {
        failures.push(format!("{what}: the record does not round-trip"));
    }
    if expected_topic.is_none() {
        if bus.is_decoded() {
            failures.push(format!("{what}: decoded, but it is not a webhook"));
        }
        return;
    }
    if !bus.is_decoded() {
        failures.push(format!("{what}: {:?}", bus.decode_error()));
    }
    // BigCommerce's bus message carries no `webhook-id` (its hash is in the body): ids are
    // compared where the bus carries them.
    let with_id = message.headers().header(E::DELIVERY.signature_header).is_some() || bus.delivery_id().is_some();
    let (from_bus, from_https) = (summary(&bus, with_id), summary(&over_https::<E>(message), with_id));
    if from_bus != from_https {
        failures.push(format!("{what}: differs from the HTTPS delivery:\n  bus   {from_bus}\n  https {from_https}"));
    }
}

#[test]
fn every_envelope_gives_the_delivery_of_its_https_twin() {
    let dir = catalog_dir().join("examples/bus");
    let manifest: Value = serde_yaml::from_str(&std::fs::read_to_string(dir.join("manifest.yaml")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut seen = 0;
    for entry in manifest["envelopes"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap();
        let text = std::fs::read(dir.join(file)).unwrap();
        let topic = entry["topic"].as_str();
        for (index, message) in unwrap(entry["kind"].as_str().unwrap(), &text).iter().enumerate() {
            seen += 1;
            let what = format!("{file} #{index}");
            match entry["platform"].as_str().unwrap() {
                "shopify" => check::<shopify::Event>(message, topic, &what, &mut failures),
                "bigcommerce" => check::<bigcommerce::Event>(message, topic, &what, &mut failures),
                other => panic!("{file}: no test for {other}"),
            }
        }
    }
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(files, manifest["envelopes"].as_array().unwrap().len(), "every envelope file is in the manifest");
    assert!(seen >= files);
    assert_no_failures("envelopes", &failures);
}

#[test]
fn eventbridge_bodies_are_reserialized_and_pubsub_bodies_kept() {
    let dir = catalog_dir().join("examples/bus");
    let eventbridge =
        BusMessage::from_eventbridge(&std::fs::read(dir.join("shopify-eventbridge.json")).unwrap()).unwrap();
    assert_eq!(eventbridge.transport(), Transport::EventBridge);
    assert!(!eventbridge.transport().keeps_body_bytes());
    assert_eq!(eventbridge.message_id(), Some("0"));
    // The payload's text as it sits in the envelope.
    let payload: Value = serde_json::from_slice(eventbridge.body()).unwrap();
    assert_eq!(payload["id"], 123456789);
    let pubsub = BusMessage::from_pubsub_push(&std::fs::read(dir.join("shopify-pubsub-push.json")).unwrap()).unwrap();
    assert!(pubsub.transport().keeps_body_bytes());
    assert_eq!(pubsub.message_id(), Some("2070443601311540"));
}

#[test]
fn what_is_not_an_envelope_is_an_error_naming_the_missing_part() {
    for (text, part) in [
        (&b"[]"[..], "not a JSON object"),
        (br#"{"detail": {"metadata": {}}}"#, "detail.payload"),
        (br#"{"version": "0"}"#, "no `detail`"),
    ] {
        let error = BusMessage::from_eventbridge(text).unwrap_err().to_string();
        assert!(error.contains(part), "{error}");
    }
    let error = BusMessage::from_pubsub_push(br#"{"message": {"data": "not base64!"}}"#).unwrap_err().to_string();
    assert!(error.contains("not base64"), "{error}");
    assert!(BusMessage::from_pubsub_push(br#"{"subscription": "x"}"#)
        .unwrap_err()
        .to_string()
        .contains("no `message`"));
    let pulled = BusMessage::from_pubsub_pull(br#"{"receivedMessages": [{"ackId": "a"}]}"#).unwrap();
    assert_eq!(pulled[0].ack_id.as_deref(), Some("a"));
    assert!(pulled[0].message.is_err());
    // A record of one platform is not decoded as another's.
    let delivery =
        Delivery::<shopify::Event>::from_bus(&BusMessage::from_pubsub_message(br#"{"data": "e30="}"#).unwrap());
    let error = Delivery::<bigcommerce::Event>::from_record(&delivery.to_record()).unwrap_err();
    assert!(error.to_string().contains("a `shopify` delivery"), "{error}");
}
