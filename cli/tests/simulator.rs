//! The simulator end to end: `commerce-webhooks send` delivers every example of a
//! subscription, for each platform, to the running receiver example on loopback, with a
//! tampered copy of each; every authentic delivery is answered 2xx and every tampered one 401.
//! The receiver is stopped by the test (and killed if the test fails); each run is bounded.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use commerce_webhooks::testing::TEST_SECRET;
use commerce_webhooks_tests::example::Running;

/// Runs the simulator with `args`, killed after `limit`.
fn simulator(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_commerce-webhooks"))
        .args(args)
        .env_remove("WEBHOOK_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the simulator starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("the simulator ran past {limit:?}: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn every_example_of_a_subscription_is_accepted_and_every_tampered_copy_refused() {
    let secrets = [
        ("SHOPIFY_SECRET", TEST_SECRET),
        ("BIGCOMMERCE_SECRET", TEST_SECRET),
        ("SHOPWARE_SECRET", TEST_SECRET),
        ("ECWID_SECRET", TEST_SECRET),
    ];
    let receiver = Running::start("receiver", &secrets);
    for (platform, pattern) in
        [("shopify", "orders/*"), ("bigcommerce", "store/order/*"), ("shopware", "checkout.*"), ("ecwid", "*")]
    {
        let url = format!("http://{}/webhooks/{platform}", receiver.addr);
        let output = simulator(
            &[
                "send",
                platform,
                "--url",
                &url,
                "--secret",
                TEST_SECRET,
                "--subscription",
                pattern,
                "--tampered",
                "--duplicate",
            ],
            Duration::from_secs(120),
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{platform}: {}\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let lines: Vec<&str> = stdout.lines().filter(|line| line.contains(" ms ")).collect();
        let count =
            |kind: &str, status: &str| lines.iter().filter(|l| l.contains(kind) && l.starts_with(status)).count();
        let authentic = lines.iter().filter(|l| l.contains("authentic")).count();
        assert!(authentic > 0, "{platform}: nothing sent\n{stdout}");
        assert_eq!(count("authentic", "2"), authentic, "{platform}: an authentic delivery was not 2xx\n{stdout}");
        assert_eq!(count("duplicate", "2"), authentic, "{platform}\n{stdout}");
        assert_eq!(count("tampered", "401"), authentic, "{platform}: a tampered copy was not refused\n{stdout}");
        assert!(stdout.contains(&format!("{} sent, 0 unexpected", 3 * authentic)), "{stdout}");
    }
    drop(receiver);
}

#[test]
fn a_wrong_secret_is_reported_and_fails_the_run() {
    let receiver = Running::start("receiver", &[("SHOPIFY_SECRET", TEST_SECRET)]);
    let url = format!("http://{}/webhooks/shopify", receiver.addr);
    let output = simulator(
        &["send", "shopify", "--url", &url, "--secret", "not it", "--topic", "orders/create"],
        Duration::from_secs(60),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("401") && stdout.contains("<- unexpected"), "{stdout}");
}

#[test]
fn check_and_config_run_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("order.json");
    std::fs::write(&body, r#"{"id": 1, "email": 5, "financial_status": "paid"}"#).unwrap();
    let output =
        simulator(&["check", "shopify", "--topic", "orders/create", body.to_str().unwrap()], Duration::from_secs(30));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // A number where the docs say text is kept as received, and reported.
    assert!(String::from_utf8_lossy(&output.stderr).contains("email"), "{}", String::from_utf8_lossy(&output.stderr));
    let output = simulator(&["check", "shopify", body.to_str().unwrap()], Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(2), "Shopify needs --topic");

    let output = simulator(
        &["config", "shopify", "--url", "https://app.example.com/w", "orders/create"],
        Duration::from_secs(30),
    );
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains(r#"topics = ["orders/create"]"#));
    let output = simulator(
        &["config", "shopify", "--url", "https://app.example.com/w", "orders/craete"],
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `orders/create`?"));
}
