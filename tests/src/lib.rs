//! Helpers shared by the cross-crate tests in `tests/tests/`.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_owned()
}

/// The real catalog folder.
pub fn catalog_dir() -> PathBuf {
    workspace_root().join("catalog")
}

/// The validated real catalogs; panics with every diagnostic if they do not load.
pub fn model() -> codegen::Model {
    codegen::load(&catalog_dir()).unwrap_or_else(|diagnostics| panic!("the catalog does not load:\n{diagnostics}"))
}

/// A fixture folder under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    workspace_root().join("tests/fixtures").join(name)
}

/// Copies the tree at `from` to `to` (files only; creates folders as needed).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Panics listing every failure when there is any.
pub fn assert_no_failures(what: &str, failures: &[String]) {
    assert!(failures.is_empty(), "{} {what}:\n{}", failures.len(), failures.join("\n"));
}

/// One step of a path into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A path as decode errors and `conform` write it: `a.b[2].c`, `.` for the root.
pub fn path_text(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) if text.is_empty() => text.push_str(key),
            Step::Key(key) => text += &format!(".{key}"),
            Step::Index(index) => text += &format!("[{index}]"),
        }
    }
    if text.is_empty() {
        ".".into()
    } else {
        text
    }
}

/// Every node of `value` as a path, root first, depth first.
pub fn node_paths(value: &serde_json::Value) -> Vec<Vec<Step>> {
    fn walk(value: &serde_json::Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        out.push(path.clone());
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    path.push(Step::Key(key.clone()));
                    walk(child, path, out);
                    path.pop();
                }
            }
            serde_json::Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    path.push(Step::Index(index));
                    walk(child, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

/// The node of `value` at `path` (which must exist).
pub fn node<'v>(value: &'v serde_json::Value, path: &[Step]) -> &'v serde_json::Value {
    path.iter().fold(value, |node, step| match step {
        Step::Key(key) => &node[key.as_str()],
        Step::Index(index) => &node[*index],
    })
}

/// The node of `value` at `path`, to change it (created as `null` where a key is missing).
pub fn node_mut<'v>(value: &'v mut serde_json::Value, path: &[Step]) -> &'v mut serde_json::Value {
    path.iter().fold(value, |node, step| match step {
        Step::Key(key) => &mut node[key.as_str()],
        Step::Index(index) => &mut node[*index],
    })
}

/// The message of a caught panic.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a non-string panic".into())
}

/// Every platform's decoding entry points behind one type, so a test runs the same checks on all
/// four.
pub mod api {
    use commerce_webhooks::{
        bigcommerce, ecwid, shopify, shopware, CatalogTopic, DecodeError, Delivery, Location, ReceiveError,
        VerifyOptions, WebhookEvent,
    };
    use serde_json::Value;

    /// A decoded event reduced to what tests compare: the re-encoded body and the topic.
    pub struct Decoded {
        /// The event encoded back to JSON.
        pub json: Value,
        /// The decoded topic's wire name.
        pub topic: String,
        /// Whether the topic is one the catalog does not know.
        pub unknown: bool,
        /// Where fields were kept as received because they did not fit (`commerce_webhooks::mismatches`).
        pub mismatches: Vec<String>,
    }

    /// An authentic delivery as the application gets it.
    pub struct Received {
        /// The decoded event, or why it did not decode.
        pub decoded: Result<Decoded, DecodeError>,
        /// The raw body the delivery holds.
        pub body: Vec<u8>,
    }

    /// Signs `body` as the platform would (with [`super::sign::SECRET`], `topic` in the header
    /// where the platform puts it there) and receives it with `Delivery::verify_and_decode`.
    pub type ReceiveFn = fn(&str, &[u8]) -> Result<Received, ReceiveError>;

    /// `Event::from_delivery` of one platform.
    pub type DecodeFn = fn(&str, &[u8]) -> Result<Decoded, DecodeError>;
    /// `Event::from_body` of one platform.
    pub type FromBodyFn = fn(&[u8]) -> Result<Decoded, DecodeError>;

    fn reduce<E: WebhookEvent>(event: E) -> Decoded {
        let topic = event.topic();
        Decoded {
            json: serde_json::to_value(&event).expect("a decoded event always encodes"),
            unknown: topic.index().is_none(),
            topic: topic.as_str().to_owned(),
            mismatches: commerce_webhooks::mismatches(&event).into_iter().map(|m| m.path).collect(),
        }
    }

    fn receive<E: WebhookEvent>(topic: &str, body: &[u8]) -> Result<Received, ReceiveError> {
        let (headers, now) = super::sign::headers(E::DELIVERY.scheme, topic, body);
        let options = VerifyOptions::new().now(now);
        let secrets = [commerce_webhooks::Secret::new(super::sign::SECRET)];
        let delivery = Delivery::<E>::verify_and_decode_with(&headers, body, &secrets, &options)?;
        Ok(Received { body: delivery.body().to_vec(), decoded: delivery.into_event().map(reduce) })
    }

    fn from_delivery<E: WebhookEvent>(topic: &str, body: &[u8]) -> Result<Decoded, DecodeError> {
        E::from_delivery(topic, body).map(reduce)
    }

    fn from_body<E: WebhookEvent>(body: &[u8]) -> Result<Decoded, DecodeError> {
        E::from_body(body).map(reduce)
    }

    /// One platform's entry points.
    pub struct Api {
        /// The catalog's platform id.
        pub id: &'static str,
        /// `Event::from_delivery`.
        pub from_delivery: DecodeFn,
        /// For platforms whose body names its topic: `Event::from_body` and the topic's path.
        pub from_body: Option<(FromBodyFn, &'static [&'static str])>,
        /// The platform's first topic separator.
        pub separator: char,
        /// Signs and receives a delivery.
        pub receive: ReceiveFn,
    }

    fn api<E: WebhookEvent>() -> Api {
        Api {
            id: <E::Topic as CatalogTopic>::PLATFORM,
            from_delivery: from_delivery::<E>,
            from_body: match E::DELIVERY.topic {
                Location::Body(_, path) => Some((from_body::<E> as FromBodyFn, path)),
                Location::Header(_) => None,
            },
            separator: <E::Topic as CatalogTopic>::SEPARATORS[0],
            receive: receive::<E>,
        }
    }

    /// The four platforms.
    pub fn apis() -> [Api; 4] {
        [api::<shopify::Event>(), api::<bigcommerce::Event>(), api::<shopware::Event>(), api::<ecwid::Event>()]
    }
}

/// Signing deliveries as each platform does, independently of the crate's verifier.
pub mod sign {
    use std::time::{Duration, SystemTime};

    use base64::engine::general_purpose::STANDARD as BASE64;
    use base64::Engine as _;
    use commerce_webhooks::SignatureScheme;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    /// The secret every signed test delivery uses.
    pub const SECRET: &str = "commerce-webhooks test secret";

    /// The time BigCommerce deliveries are signed at (and the clock verifying them is set to).
    pub const SIGNED_AT: u64 = 1_700_000_000;

    /// HMAC-SHA256 of `message` under `secret`.
    pub fn hmac(secret: &str, message: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    /// The text of a JSON value as Ecwid puts it in the signed message: a string's content or
    /// an integer's digits.
    fn signed_text(value: Option<&serde_json::Value>) -> String {
        match value {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }

    /// The headers a delivery of `body` carries under `scheme` (`topic` goes in Shopify's topic
    /// header), and the time to verify it at: [`SIGNED_AT`], or for Ecwid the body's own
    /// `eventCreated` (Ecwid signs the time in the body).
    pub fn headers(scheme: SignatureScheme, topic: &str, body: &[u8]) -> (Vec<(String, String)>, SystemTime) {
        headers_with(SECRET, scheme, topic, body)
    }

    /// [`headers`] signed with `secret`.
    pub fn headers_with(
        secret: &str,
        scheme: SignatureScheme,
        topic: &str,
        body: &[u8],
    ) -> (Vec<(String, String)>, SystemTime) {
        let hmac = |message: &[u8]| hmac(secret, message);
        let created = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|value| value.get("eventCreated").and_then(serde_json::Value::as_u64))
            .filter(|_| scheme == SignatureScheme::EcwidCreatedDotId);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(created.unwrap_or(SIGNED_AT));
        let pairs: Vec<(&str, String)> = match scheme {
            SignatureScheme::HmacSha256Base64Body => vec![
                ("X-Shopify-Hmac-Sha256", BASE64.encode(hmac(body))),
                ("X-Shopify-Topic", topic.to_owned()),
                ("X-Shopify-Shop-Domain", "toys.myshopify.com".to_owned()),
                ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043".to_owned()),
            ],
            SignatureScheme::StandardWebhooks => {
                let mut message = format!("msg_test.{SIGNED_AT}.").into_bytes();
                message.extend_from_slice(body);
                vec![
                    ("webhook-id", "msg_test".to_owned()),
                    ("webhook-timestamp", SIGNED_AT.to_string()),
                    ("webhook-signature", format!("v1,{}", BASE64.encode(hmac(&message)))),
                ]
            }
            SignatureScheme::HmacSha256HexBody => {
                vec![("shopware-shop-signature", hmac(body).iter().map(|b| format!("{b:02x}")).collect())]
            }
            SignatureScheme::EcwidCreatedDotId => {
                let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
                let message =
                    format!("{}.{}", signed_text(value.get("eventCreated")), signed_text(value.get("eventId")));
                vec![("X-Ecwid-Webhook-Signature", BASE64.encode(hmac(message.as_bytes())))]
            }
            other => panic!("no test signer for {other:?}"),
        };
        (pairs.into_iter().map(|(name, value)| (name.to_owned(), value)).collect(), now)
    }
}

/// The workspace's compiled examples (built by `cargo test --workspace`), run as a user runs them.
pub mod example {
    use std::io::{BufRead, BufReader};
    use std::path::PathBuf;
    use std::process::{Child, Command, Stdio};

    /// The example binary next to the running test's own (`target/<profile>/examples/<name>`).
    pub fn binary(name: &str) -> PathBuf {
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>");
        let binary = profile_dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        assert!(
            binary.is_file(),
            "{} is missing: run this test through `cargo test --workspace`, which builds the examples",
            binary.display()
        );
        binary
    }

    /// A running example server; killed on drop if the test did not stop it.
    pub struct Running {
        /// The process.
        pub child: Child,
        /// Where it listens (`127.0.0.1:<port>`).
        pub addr: String,
        /// What it printed before it said where it listens.
        pub banner: Vec<String>,
    }

    impl Running {
        /// Starts example `name` with only `env` set, on loopback (`HOST`, `PORT=0`), and waits
        /// for its `listening on http://…` line.
        pub fn start(name: &str, env: &[(&str, &str)]) -> Self {
            let mut command = Command::new(binary(name));
            command.env_clear().env("HOST", "127.0.0.1").env("PORT", "0");
            for (key, value) in env {
                command.env(key, value);
            }
            let mut child =
                command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("the example starts");
            let stdout = child.stdout.take().expect("piped stdout");
            let mut lines = BufReader::new(stdout).lines();
            let mut banner = Vec::new();
            let addr = loop {
                let line = lines.next().expect("the example prints where it listens").expect("text");
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    break addr.to_owned();
                }
                banner.push(line);
            };
            // Keep reading its log so it never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            Self { child, addr, banner }
        }
    }

    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sends a request by hand and returns the status line and body; `body_len` may exceed the
/// body sent (a client that never finishes its body).
pub fn raw_post(
    addr: std::net::SocketAddr,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
    body_len: usize,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    let mut request =
        format!("POST {path} HTTP/1.1\r\nhost: test\r\ncontent-length: {body_len}\r\nconnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    // Read what arrives before the timeout: a server waiting for the rest of the body sends nothing.
    let mut buffer = [0; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buffer[..n]);
    }
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` on a free loopback port, persisting nothing; killed on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// `None` (after saying so loudly) when `redis-server` is not installed; under `CI=true`
    /// that is a failure instead.
    pub fn start() -> Option<Self> {
        if Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_err() {
            let message = "redis-server is not installed, so the Redis-backed tests did not run \
                           (apt-get install redis-server; .ci/run installs it)";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
            // Straight to stderr: the test harness shows `eprintln!` only for failing tests.
            let _ = writeln!(std::io::stderr(), "\n!!!!!!!!!! SKIPPED: {message} !!!!!!!!!!\n");
            return None;
        }
        // A port taken between choosing and binding makes the server exit: choose again.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server starts");
            let mut server = Self { child, port };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(server);
                }
                if server.child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = server.child.kill();
        }
        panic!("redis-server did not start listening on a free loopback port");
    }

    /// The server's URL (`redis://127.0.0.1:<port>/0`).
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Kills the server (a test of what happens when Redis goes away).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
