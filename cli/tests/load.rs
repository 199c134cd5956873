//! Two receiver-example replicas sharing a real `redis-server` under a burst from
//! `commerce-webhooks load`: every authentic delivery is handled exactly once (its retry went
//! to the other replica), no tampered one is, and every process stops when the test ends.
//! The full-size run with figures is `benches/load/run.sh` (BENCHMARKS.md).

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use commerce_webhooks::testing::TEST_SECRET;
use commerce_webhooks_tests::example::Running;
use commerce_webhooks_tests::RedisServer;

#[test]
fn two_replicas_sharing_redis_handle_every_delivery_exactly_once() {
    let Some(redis) = RedisServer::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let log = |replica: &str| dir.path().join(format!("handled-{replica}"));
    let replicas: Vec<Running> = ["a", "b"]
        .iter()
        .map(|replica| {
            let log = log(replica).to_string_lossy().into_owned();
            Running::start(
                "receiver",
                &[("SHOPIFY_SECRET", TEST_SECRET), ("REDIS_URL", &redis.url()), ("HANDLED_LOG", &log)],
            )
        })
        .collect();
    let sent = dir.path().join("sent");
    let mut args = vec!["load".to_owned(), "shopify".to_owned()];
    for replica in &replicas {
        args.extend(["--url".to_owned(), format!("http://{}/webhooks/shopify", replica.addr)]);
    }
    args.extend(
        [
            "--secret",
            TEST_SECRET,
            "--topic",
            "orders/create",
            "--count",
            "1000",
            "--duplicates",
            "10",
            "--tampered",
            "2",
        ]
        .map(str::to_owned),
    );
    args.extend([
        "--concurrency".to_owned(),
        "8".to_owned(),
        "--ids-out".to_owned(),
        sent.to_string_lossy().into_owned(),
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_commerce-webhooks"))
        .args(&args)
        .env_remove("WEBHOOK_SECRET")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(180), "the burst ran past 3 minutes");
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{report}");
    assert!(
        report.contains("authentic (retries included) 1100: 1100 answered 2xx; tampered 20: 20 answered 401"),
        "{report}"
    );

    let sent: BTreeSet<String> = std::fs::read_to_string(&sent).unwrap().lines().map(str::to_owned).collect();
    let mut handled = Vec::new();
    let mut per_replica = Vec::new();
    for replica in ["a", "b"] {
        let lines: Vec<String> = std::fs::read_to_string(log(replica)).unwrap().lines().map(str::to_owned).collect();
        per_replica.push(lines.len());
        handled.extend(lines);
    }
    let unique: BTreeSet<String> = handled.iter().cloned().collect();
    assert_eq!(handled.len(), unique.len(), "a delivery was handled twice");
    assert_eq!(unique, sent, "every authentic delivery handled, nothing else (no tampered copy)");
    assert!(per_replica.iter().all(|&n| n > 0), "both replicas handled deliveries: {per_replica:?}");
    drop(replicas);
}
