//! `load`: a bounded burst of signed deliveries spread over several receivers (replicas), with
//! retries of some deliveries sent to another replica and some tampered copies, measured.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use commerce_webhooks::testing::{Fixtures, TestDelivery};
use commerce_webhooks::CatalogTopic;

use crate::platform::{Platform, WithEvent};

/// Arguments of `load`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The platform whose deliveries to send.
    platform: Platform,
    /// A replica's URL (repeatable; deliveries go round-robin, a retry to the next replica).
    #[arg(long = "url", required = true)]
    urls: Vec<String>,
    /// The signing secret the replicas verify with.
    #[arg(long, env = "WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// The topic whose first catalog example every delivery carries.
    #[arg(long)]
    topic: String,
    /// How many authentic deliveries to send (each with its own delivery id).
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Percent of deliveries also sent a second time, with the same id, to another replica.
    #[arg(long, default_value_t = 10)]
    duplicates: usize,
    /// Percent of deliveries that also get a tampered copy (a fresh id), which must be refused.
    #[arg(long, default_value_t = 1)]
    tampered: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Write the authentic deliveries' ids here, one per line (to check what was handled).
    #[arg(long)]
    ids_out: Option<PathBuf>,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

/// One request of the burst.
struct Send {
    url: usize,
    tampered: bool,
    delivery: TestDelivery,
}

/// A request ready to go: signed before the clock starts.
struct Signed {
    url: usize,
    tampered: bool,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// What a request got.
struct Outcome {
    tampered: bool,
    status: Option<u16>,
    latency: Duration,
}

/// Sends the burst and prints throughput, latency and the statuses.
pub fn run(args: &Args) -> Result<ExitCode, String> {
    args.platform.with_event(Load { args })
}

struct Load<'a> {
    args: &'a Args,
}

impl WithEvent for Load<'_> {
    type Output = Result<ExitCode, String>;

    fn run<E: Fixtures>(self) -> Self::Output {
        let args = self.args;
        let topic: E::Topic = args.topic.parse().expect("topics always parse");
        let example = E::examples(&topic).first().ok_or(format!("the catalog has no example for {topic}"))?;
        let replicas = args.urls.len();
        let every = |percent: usize| if percent == 0 { usize::MAX } else { (100 / percent.min(100)).max(1) };
        let mut sends = Vec::new();
        let mut ids = Vec::new();
        for i in 0..args.count {
            let delivery = TestDelivery::new::<E>(topic.as_str(), example.body)
                .secret(&args.secret)
                .delivery_id(format!("load-{i}-{}", std::process::id()));
            ids.push(delivery.id().unwrap_or_default());
            sends.push(Send { url: i % replicas, tampered: false, delivery: delivery.clone() });
            if i % every(args.duplicates) == 0 {
                sends.push(Send { url: (i + 1) % replicas, tampered: false, delivery: delivery.clone() });
            }
            if i % every(args.tampered) == 0 {
                let forged = delivery.delivery_id(format!("forged-{i}-{}", std::process::id())).tampered();
                sends.push(Send { url: i % replicas, tampered: true, delivery: forged });
            }
        }
        if let Some(path) = &args.ids_out {
            std::fs::write(path, ids.join("\n") + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        // Sign before the clock starts: the burst measures the receivers, not the signer.
        let prepared: Vec<Signed> = sends
            .into_iter()
            .map(|s| Signed {
                url: s.url,
                tampered: s.tampered,
                headers: s.delivery.headers(),
                body: s.delivery.body(),
            })
            .collect();
        let agent = crate::http::agent(Duration::from_secs(args.timeout), args.concurrency);
        let next = AtomicUsize::new(0);
        let outcomes = Mutex::new(Vec::with_capacity(prepared.len()));
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..args.concurrency.max(1) {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    while let Some(signed) = prepared.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let sent = Instant::now();
                        let status =
                            crate::http::post(&agent, &args.urls[signed.url], &signed.headers, &signed.body).ok();
                        mine.push(Outcome { tampered: signed.tampered, status, latency: sent.elapsed() });
                    }
                    outcomes.lock().expect("no worker panics while holding it").extend(mine);
                });
            }
        });
        let elapsed = started.elapsed();
        report(&outcomes.into_inner().expect("the workers are done"), elapsed)
    }
}

/// Prints the figures; fails when an authentic delivery was not 2xx or a tampered one not 401.
fn report(outcomes: &[Outcome], elapsed: Duration) -> Result<ExitCode, String> {
    let mut latencies: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    latencies.sort();
    let percentile = |p: usize| latencies.get((latencies.len() * p / 100).min(latencies.len().saturating_sub(1)));
    let count = |tampered: bool, ok: &dyn Fn(u16) -> bool| {
        outcomes.iter().filter(|o| o.tampered == tampered && o.status.is_some_and(ok)).count()
    };
    let authentic = outcomes.iter().filter(|o| !o.tampered).count();
    let tampered = outcomes.len() - authentic;
    let accepted = count(false, &|s| (200..300).contains(&s));
    let refused = count(true, &|s| s == 401);
    let failed = outcomes.iter().filter(|o| o.status.is_none()).count();
    println!(
        "{} requests in {:.2} s: {:.0} deliveries/s, latency p50 {:.2} ms, p99 {:.2} ms",
        outcomes.len(),
        elapsed.as_secs_f64(),
        outcomes.len() as f64 / elapsed.as_secs_f64(),
        percentile(50).map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        percentile(99).map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    );
    println!(
        "authentic (retries included) {authentic}: {accepted} answered 2xx; tampered {tampered}: {refused} answered 401; {failed} without a response"
    );
    Ok(if accepted == authentic && refused == tampered { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
