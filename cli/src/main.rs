//! `commerce-webhooks`: a delivery simulator and checker for webhook receivers built on the
//! `commerce-webhooks` crate. See `commerce-webhooks --help`.

mod check;
mod config;
mod http;
mod load;
mod platform;
mod send;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use platform::Platform;

/// Test webhook receivers with the commerce-webhooks catalog: send signed deliveries of the
/// documented example payloads to a local server, check payload files against the typed
/// events, and print the app configuration a subscription needs.
///
/// Examples:
///
///   # Send every orders/* example to a receiver on port 3000, signed with its secret:
///   commerce-webhooks send shopify --url http://127.0.0.1:3000/webhooks/shopify \
///       --secret "$SHOPIFY_SECRET" --subscription 'orders/*' --tampered --duplicate
///
///   # Check a captured body against the typed events:
///   commerce-webhooks check shopify --topic orders/create payload.json
///
///   # The [webhooks] section of shopify.app.toml for a subscription:
///   commerce-webhooks config shopify --url https://app.example.com/webhooks 'orders/*' app/uninstalled
#[derive(Debug, Parser)]
#[command(name = "commerce-webhooks", version, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Send signed deliveries to a server, as the platform would, and print each response.
    ///
    /// Each delivery is the catalog's example for a topic (or --file), signed with --secret
    /// the way the platform signs, with fresh ids and the current time. Exit status: 0 when
    /// every authentic delivery got a 2xx and every tampered copy was refused, 1 otherwise,
    /// 2 for bad arguments.
    Send(send::Args),
    /// Check payload files against the typed events: print the re-encoded event and every
    /// field kept as received because it does not fit its documented type.
    ///
    /// Exit status: 0 decoded, 1 a payload does not decode, 2 bad arguments.
    Check {
        /// The platform.
        platform: Platform,
        /// The topic (required for Shopify, whose topic travels in a header; the others read
        /// it from the body).
        #[arg(long)]
        topic: Option<String>,
        /// Payload files (JSON bodies as delivered).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print what the platform needs to register a subscription: Shopify's shopify.app.toml
    /// sections, BigCommerce's hook request bodies, Shopware's manifest.xml elements, Ecwid's
    /// scopes and events. Warnings (protected customer data, undocumented scopes) go to stderr.
    Config {
        /// The platform.
        platform: Platform,
        /// Where deliveries should go (Shopify also takes a path relative to application_url,
        /// pubsub://project:topic or an EventBridge ARN).
        #[arg(long)]
        url: String,
        /// Topics or patterns (`orders/*`, `store/cart/*`, `*`).
        #[arg(required = true)]
        patterns: Vec<String>,
    },
    /// Send a bounded burst of signed deliveries to one or more receiver replicas, with
    /// retries sent to another replica and tampered copies, and print deliveries per second,
    /// p50/p99 latency and the statuses (a load test; see BENCHMARKS.md).
    ///
    /// Exit status: 0 when every authentic delivery (retries included) got a 2xx and every
    /// tampered copy a 401, 1 otherwise.
    Load(load::Args),
    /// List the documented topics a subscription covers, with their scopes and how many
    /// example payloads the catalog has for each.
    Topics {
        /// The platform.
        platform: Platform,
        /// Topics or patterns; all topics when none are given.
        patterns: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Send(args) => send::run(&args),
        Command::Check { platform, topic, files } => check::run(platform, topic.as_deref(), &files),
        Command::Config { platform, url, patterns } => config::run(platform, &url, &patterns),
        Command::Load(args) => load::run(&args),
        Command::Topics { platform, patterns } => config::topics(platform, &patterns),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
