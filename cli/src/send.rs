//! `send`: signed deliveries of the catalog's examples (or a file) to a server.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use commerce_webhooks::testing::{Fixtures, TestDelivery};
use commerce_webhooks::{CatalogTopic, SignatureScheme};

use crate::config::subscription;
use crate::platform::{Platform, WithEvent};

/// How old `--old` copies are: past every platform's replay window (Ecwid's is 24 hours).
const OLD_AGE: Duration = Duration::from_secs(2 * 24 * 60 * 60);

/// Arguments of `send`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The platform whose deliveries to simulate.
    platform: Platform,
    /// The receiver's URL (http://; e.g. http://127.0.0.1:3000/webhooks/shopify).
    #[arg(long)]
    url: String,
    /// The signing secret the receiver verifies with (Shopify/Ecwid client secret,
    /// BigCommerce client secret, Shopware shop secret).
    #[arg(long, env = "WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// A topic to send (repeatable).
    #[arg(long = "topic", value_name = "TOPIC")]
    topics: Vec<String>,
    /// Send every topic a pattern covers (repeatable; `orders/*`, `*`).
    #[arg(long = "subscription", value_name = "PATTERN")]
    patterns: Vec<String>,
    /// Send this body instead of the catalog's example (with exactly one --topic).
    #[arg(long)]
    file: Option<PathBuf>,
    /// Send every example of each topic, not only the first.
    #[arg(long)]
    all_examples: bool,
    /// The store the deliveries come from (Shopify shop domain, BigCommerce `stores/<hash>`,
    /// Shopware shop id, Ecwid store id).
    #[arg(long)]
    store: Option<String>,
    /// Also send each delivery a second time, with the same delivery id (a retry).
    #[arg(long)]
    duplicate: bool,
    /// Also send a copy changed after signing; the receiver must refuse it (401).
    #[arg(long)]
    tampered: bool,
    /// Also send a copy signed two days ago; refused where the platform signs a time
    /// (BigCommerce, Ecwid), accepted where it does not (Shopify, Shopware).
    #[arg(long)]
    old: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

/// What a delivery is, and what the receiver should answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Authentic,
    Duplicate,
    Tampered,
    Old,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Authentic => "authentic",
            Self::Duplicate => "duplicate",
            Self::Tampered => "tampered",
            Self::Old => "old",
        }
    }
}

/// Sends the deliveries and prints one line per response, then a summary.
pub fn run(args: &Args) -> Result<ExitCode, String> {
    args.platform.with_event(Send { args })
}

struct Send<'a> {
    args: &'a Args,
}

impl WithEvent for Send<'_> {
    type Output = Result<ExitCode, String>;

    fn run<E: Fixtures>(self) -> Self::Output {
        let args = self.args;
        let deliveries = deliveries::<E>(args)?;
        if deliveries.is_empty() {
            return Err("nothing to send: no example for the topics given (use --file)".into());
        }
        let agent = crate::http::agent(Duration::from_secs(args.timeout), 1);
        let signs_time =
            matches!(E::DELIVERY.scheme, SignatureScheme::StandardWebhooks | SignatureScheme::EcwidCreatedDotId);
        let (mut sent, mut unexpected) = (0, 0);
        for (delivery, label) in &deliveries {
            let mut copies = vec![(Kind::Authentic, delivery.clone())];
            if args.duplicate {
                copies.push((Kind::Duplicate, delivery.clone()));
            }
            if args.tampered {
                copies.push((Kind::Tampered, delivery.clone().tampered()));
            }
            if args.old {
                copies.push((Kind::Old, delivery.clone().aged(OLD_AGE)));
            }
            for (kind, copy) in copies {
                let started = Instant::now();
                let status = crate::http::post(&agent, &args.url, &copy.headers(), &copy.body())?;
                let elapsed = started.elapsed().as_secs_f64() * 1000.0;
                let refused = kind == Kind::Tampered || (kind == Kind::Old && signs_time);
                let expected = if refused { status == 401 } else { (200..300).contains(&status) };
                sent += 1;
                if !expected {
                    unexpected += 1;
                }
                let mark = if expected { "" } else { "  <- unexpected" };
                println!("{status} {elapsed:>8.1} ms  {:<9}  {label}{mark}", kind.name());
            }
        }
        println!("{sent} sent, {unexpected} unexpected (authentic and duplicate copies expect 2xx, tampered ones 401)");
        Ok(if unexpected == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    }
}

/// The deliveries to send, each with a label: the topic and the example file.
fn deliveries<E: Fixtures>(args: &Args) -> Result<Vec<(TestDelivery, String)>, String> {
    let mut topics: Vec<E::Topic> =
        args.topics.iter().map(|topic| topic.parse().expect("topics always parse")).collect();
    if !args.patterns.is_empty() {
        topics.extend(subscription::<E::Topic>(&args.patterns)?.topics().cloned());
    }
    if topics.is_empty() {
        return Err("say what to send: --topic TOPIC or --subscription PATTERN".into());
    }
    let configure = |delivery: TestDelivery| {
        let delivery = delivery.secret(&args.secret);
        match &args.store {
            Some(store) => delivery.store(store),
            None => delivery,
        }
    };
    if let Some(file) = &args.file {
        let [topic] = &topics[..] else {
            return Err("--file sends one body: give exactly one --topic".into());
        };
        let body = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        return Ok(vec![(
            configure(TestDelivery::new::<E>(topic.as_str(), body)),
            format!("{topic}  {}", file.display()),
        )]);
    }
    let mut deliveries = Vec::new();
    for topic in &topics {
        let examples = E::examples(topic);
        if examples.is_empty() {
            eprintln!("skipped {topic}: the catalog has no example for it (use --file)");
        }
        for example in examples.iter().take(if args.all_examples { usize::MAX } else { 1 }) {
            let delivery = configure(TestDelivery::new::<E>(topic.as_str(), example.body));
            deliveries.push((delivery, format!("{topic}  {}", example.file)));
        }
    }
    Ok(deliveries)
}
