//! The axum extractor end to end: a receiver with one route per platform (and a strict one)
//! runs in-process on 127.0.0.1 (a free port), and a real HTTP client posts signed deliveries
//! to it. Valid ones reach the handler (which echoes what it decoded), tampered ones are 401s
//! with a generic text, authentic ones that do not fit the types reach the handler too (200),
//! and only the strict route answers them 400; unknown topics are 200s with an `Unknown`
//! event. The test stops its server itself.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use commerce_webhooks::axum::Verified;
use commerce_webhooks::{bigcommerce, ecwid, shopify, shopware, CatalogTopic, Receiver, Secret, WebhookEvent};
use commerce_webhooks_tests::catalog_dir;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const SECRET: &str = "receiver test secret";

/// Echoes what the handler received, as JSON.
async fn echo<E: WebhookEvent>(Verified(delivery): Verified<E>) -> String {
    let topic = delivery.event().ok().map(WebhookEvent::topic);
    json!({
        "topic": delivery.topic(),
        "decoded": delivery.is_decoded(),
        "error": delivery.decode_error().map(ToString::to_string),
        "mismatches": delivery.mismatches().iter().map(|m| m.path.clone()).collect::<Vec<_>>(),
        "body_len": delivery.body().len(),
        "unknown": topic.as_ref().map(|t| t.index().is_none()),
        "entity": topic.as_ref().and_then(|t| t.entity()).map(|e| e.to_string()),
        "action": topic.as_ref().and_then(|t| t.action()).map(|a| a.to_string()),
        "store": delivery.store_id(),
        "delivery": delivery.delivery_id(),
    })
    .to_string()
}

/// `/webhooks/<platform>` and `/strict/<platform>` (the same receiver, strict) for `E`.
fn routes<E: WebhookEvent + Send + Sync + 'static>() -> Router {
    let platform = <E::Topic as CatalogTopic>::PLATFORM;
    let receiver = Receiver::<E>::new([Secret::new(SECRET)]);
    Router::new()
        .merge(Router::new().route(&format!("/webhooks/{platform}"), post(echo::<E>)).with_state(receiver.clone()))
        .merge(Router::new().route(&format!("/strict/{platform}"), post(echo::<E>)).with_state(receiver.strict()))
}

fn app() -> Router {
    Router::new()
        .merge(routes::<shopify::Event>())
        .merge(routes::<bigcommerce::Event>())
        .merge(routes::<shopware::Event>())
        .merge(routes::<ecwid::Event>())
}

/// The receiver running on a runtime of its own; stopped and joined on drop.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = runtime.spawn(async move {
            axum::serve(listener, app())
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Self { addr, stop: Some(stop), task: Some(task), runtime }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let joined = self.runtime.block_on(async { tokio::time::timeout(Duration::from_secs(10), task).await });
            if !std::thread::panicking() {
                joined.expect("the server stops within 10s").expect("the server task ends").expect("serve ok");
            }
        }
    }
}

/// A plain-HTTP client for loopback: no proxy, statuses as values, bounded time.
fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn post_delivery(
    agent: &ureq::Agent,
    addr: SocketAddr,
    platform: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, String) {
    post_to(agent, addr, &format!("webhooks/{platform}"), headers, body)
}

fn post_to(
    agent: &ureq::Agent,
    addr: SocketAddr,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, String) {
    let mut request = agent.post(format!("http://{addr}/{path}")).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let mut response = request.send(body).expect("the request completes");
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().expect("a text body"))
}

fn hmac(message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
}

/// Signs `body` as `platform` would (Shopify's topic goes in a header; Ecwid signs the
/// `eventCreated`/`eventId` given).
fn sign(platform: &str, body: &[u8], shopify_topic: &str, ecwid_signed: (&str, &str)) -> Vec<(String, String)> {
    let pairs: Vec<(&str, String)> = match platform {
        "shopify" => vec![
            ("X-Shopify-Hmac-Sha256", BASE64.encode(hmac(body))),
            ("X-Shopify-Topic", shopify_topic.to_owned()),
            ("X-Shopify-Shop-Domain", "toys.myshopify.com".to_owned()),
            ("X-Shopify-Webhook-Id", "wh-1".to_owned()),
        ],
        "bigcommerce" => {
            let timestamp = unix_now().to_string();
            let mut message = format!("msg_1.{timestamp}.").into_bytes();
            message.extend_from_slice(body);
            vec![
                ("webhook-id", "msg_1".to_owned()),
                ("webhook-timestamp", timestamp),
                ("webhook-signature", format!("v1,{}", BASE64.encode(hmac(&message)))),
            ]
        }
        "shopware" => {
            vec![("shopware-shop-signature", hmac(body).iter().map(|b| format!("{b:02x}")).collect())]
        }
        _ => {
            let (created, id) = ecwid_signed;
            vec![("X-Ecwid-Webhook-Signature", BASE64.encode(hmac(format!("{created}.{id}").as_bytes())))]
        }
    };
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn example(path: &str) -> Vec<u8> {
    std::fs::read(catalog_dir().join("examples").join(path)).unwrap()
}

/// Replaces the first occurrence of `from` in `body`.
fn replace(body: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(text.contains(from), "{from} not in the example");
    text.replacen(from, to, 1).into_bytes()
}

struct Case {
    platform: &'static str,
    body: Vec<u8>,
    shopify_topic: &'static str,
    expect: Value,
    /// A field of the example, and a value of another JSON type for it.
    drift: (&'static str, &'static str),
}

#[test]
fn the_axum_receiver_verifies_decodes_and_refuses() {
    let server = Server::start();
    let agent = client();
    // Ecwid signs `eventCreated`, which must be recent: the example's is moved to now.
    let now = unix_now().to_string();
    let ecwid_signed = (now.as_str(), "80aece08-40e8-4145-8764-6c2f0d38678");

    let cases = [
        Case {
            platform: "shopify",
            body: example("shopify/app_uninstalled.json"),
            shopify_topic: "app/uninstalled",
            expect: json!({"topic": "app/uninstalled", "unknown": false, "store": "toys.myshopify.com", "delivery": "wh-1"}),
            drift: ("\"name\": \"Super Toys\"", "\"name\": {\"first\": \"Super Toys\"}"),
        },
        Case {
            platform: "bigcommerce",
            body: example("bigcommerce/store_order_created.json"),
            shopify_topic: "",
            expect: json!({"topic": "store/order/created", "unknown": false, "entity": "order", "action": "created", "store": "1025646", "delivery": "msg_1"}),
            drift: ("\"type\": \"order\"", "\"type\": [\"order\"]"),
        },
        Case {
            platform: "shopware",
            body: example("shopware/app_activated.json"),
            shopify_topic: "",
            expect: json!({"topic": "app.activated", "unknown": false, "store": "dgrH7nLU6tlE", "delivery": "62126caf87dc4a764541499df3af46ee"}),
            drift: ("\"url\": \"http://localhost:8000\"", "\"url\": 8000"),
        },
        Case {
            platform: "ecwid",
            body: replace(
                &example("ecwid/order_created.json"),
                "\"eventCreated\":1234567",
                &format!("\"eventCreated\":{now}"),
            ),
            shopify_topic: "",
            expect: json!({"topic": "order.created", "unknown": false, "entity": "order", "action": "created", "store": "1003", "delivery": ecwid_signed.1}),
            drift: ("\"storeId\":1003", "\"storeId\":{\"not\":\"an id\"}"),
        },
    ];

    for case in &cases {
        let platform = case.platform;
        let headers = sign(platform, &case.body, case.shopify_topic, ecwid_signed);

        // Valid: 200, and the handler saw the decoded event.
        let (status, text) = post_delivery(&agent, server.addr, platform, &headers, &case.body);
        assert_eq!(status, 200, "{platform}: {text}");
        let echoed: Value = serde_json::from_str(&text).unwrap();
        for (key, value) in case.expect.as_object().unwrap() {
            assert_eq!(&echoed[key], value, "{platform} `{key}` in {echoed}");
        }
        assert!(echoed["entity"].is_string() && echoed["action"].is_string(), "{platform}: {echoed}");

        // Tampered: 401, the handler never runs.
        let tampered = match platform {
            // Ecwid signs `eventCreated.eventId` only: tamper with the signed id.
            "ecwid" => replace(&case.body, ecwid_signed.1, "80aece08-40e8-4145-8764-6c2f0d38679"),
            _ => replace(&case.body, "\"", "\" "),
        };
        let (status, text) = post_delivery(&agent, server.addr, platform, &headers, &tampered);
        assert_eq!((status, text.as_str()), (401, "webhook not verified\n"), "{platform}");
        let (status, text) = post_delivery(&agent, server.addr, platform, &[], &case.body);
        assert_eq!((status, text.as_str()), (401, "webhook not verified\n"), "{platform}");

        // Authentic, a field of another JSON type: 200, the handler sees the event with the
        // value kept; the strict route answers 400.
        let drifted = replace(&case.body, case.drift.0, case.drift.1);
        let headers = sign(platform, &drifted, case.shopify_topic, ecwid_signed);
        let (status, text) = post_delivery(&agent, server.addr, platform, &headers, &drifted);
        assert_eq!(status, 200, "{platform}: {text}");
        let echoed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(echoed["decoded"], true, "{platform}: {echoed}");
        assert_eq!(echoed["mismatches"].as_array().map(Vec::len), Some(1), "{platform}: {echoed}");
        let (status, text) = post_to(&agent, server.addr, &format!("strict/{platform}"), &headers, &drifted);
        assert_eq!((status, text.as_str()), (400, "webhook body not accepted\n"), "{platform}");

        // Authentic but not decodable at all: 200 with the raw body and the reason; strict: 400.
        let (malformed, reason) = match platform {
            // Ecwid's body must yield its signed fields; make its topic unreadable instead.
            "ecwid" => (
                replace(&case.body, "\"eventType\":\"order.created\"", "\"eventType\":[\"order.created\"]"),
                "`eventType`",
            ),
            _ => {
                let mut truncated = case.body.clone();
                truncated.truncate(truncated.len() / 2);
                (truncated, "not valid JSON")
            }
        };
        let headers = sign(platform, &malformed, case.shopify_topic, ecwid_signed);
        let (status, text) = post_delivery(&agent, server.addr, platform, &headers, &malformed);
        assert_eq!(status, 200, "{platform}: {text}");
        let echoed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(echoed["decoded"], false, "{platform}: {echoed}");
        assert_eq!(echoed["body_len"], malformed.len(), "{platform}: {echoed}");
        assert!(echoed["error"].as_str().unwrap().contains(reason), "{platform}: {echoed}");
        let (status, text) = post_to(&agent, server.addr, &format!("strict/{platform}"), &headers, &malformed);
        assert_eq!((status, text.as_str()), (400, "webhook body not accepted\n"), "{platform}");

        // Unknown topic, authentic: 200 and an `Unknown` event.
        let (unknown, shopify_topic) = match platform {
            "shopify" => (case.body.clone(), "teleport/create"),
            "bigcommerce" => (replace(&case.body, "store/order/created", "store/teleport/created"), ""),
            "shopware" => (replace(&case.body, "app.activated", "teleport.written"), ""),
            _ => (replace(&case.body, "order.created", "teleport.created"), ""),
        };
        let headers = sign(platform, &unknown, shopify_topic, ecwid_signed);
        let (status, text) = post_delivery(&agent, server.addr, platform, &headers, &unknown);
        assert_eq!(status, 200, "{platform}: {text}");
        let echoed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(echoed["unknown"], true, "{platform}: {echoed}");
        assert!(echoed["topic"].as_str().unwrap().contains("teleport"), "{platform}: {echoed}");
        assert_eq!(echoed["entity"], Value::Null, "{platform}: {echoed}");
    }

    // A stale BigCommerce delivery (signed 10 minutes ago) is refused by the real clock.
    let body = example("bigcommerce/store_order_created.json");
    let timestamp = (unix_now() - 600).to_string();
    let mut message = format!("msg_1.{timestamp}.").into_bytes();
    message.extend_from_slice(&body);
    let headers = [
        ("webhook-id".to_owned(), "msg_1".to_owned()),
        ("webhook-timestamp".to_owned(), timestamp),
        ("webhook-signature".to_owned(), format!("v1,{}", BASE64.encode(hmac(&message)))),
    ];
    let (status, text) = post_delivery(&agent, server.addr, "bigcommerce", &headers, &body);
    assert_eq!((status, text.as_str()), (401, "webhook not verified\n"));

    drop(server);
}
