//! `config` and `topics`: what a subscription registers, from the catalog.

use std::process::ExitCode;

use commerce_webhooks::testing::Fixtures;
use commerce_webhooks::{app_config, CatalogTopic, Subscription};

use crate::platform::{Platform, WithEvent};

/// Prints the platform's configuration on stdout and its warnings on stderr.
pub fn run(platform: Platform, url: &str, patterns: &[String]) -> Result<ExitCode, String> {
    let config = match platform {
        Platform::Shopify => app_config::shopify(&subscription(patterns)?, url),
        Platform::Bigcommerce => app_config::bigcommerce(&subscription(patterns)?, url),
        Platform::Shopware => app_config::shopware(&subscription(patterns)?, url),
        Platform::Ecwid => app_config::ecwid(&subscription(patterns)?, url),
    };
    print!("{}", config.text);
    for warning in &config.warnings {
        eprintln!("warning: {warning}");
    }
    eprintln!(
        "{} topics, scopes: {}",
        config.topics.len(),
        if config.scopes.is_empty() { "none".into() } else { config.scopes.join(", ") }
    );
    Ok(ExitCode::SUCCESS)
}

/// Compiles `patterns`, refusing one that covers no documented topic (with the closest one).
pub fn subscription<T: CatalogTopic>(patterns: &[String]) -> Result<Subscription<T>, String> {
    Subscription::new(patterns).map_err(|e| e.to_string())
}

/// Prints the covered topics, one per line: topic, scopes, number of examples.
pub fn topics(platform: Platform, patterns: &[String]) -> Result<ExitCode, String> {
    let all = ["*".to_owned()];
    platform.with_event(Topics { patterns: if patterns.is_empty() { &all } else { patterns } })
}

struct Topics<'a> {
    patterns: &'a [String],
}

impl WithEvent for Topics<'_> {
    type Output = Result<ExitCode, String>;

    fn run<E: Fixtures>(self) -> Self::Output {
        let subscription = subscription::<E::Topic>(self.patterns)?;
        for topic in subscription.topics() {
            println!("{topic}\tscopes: {}\t{} examples", topic.scopes(), E::examples(topic).len());
        }
        Ok(ExitCode::SUCCESS)
    }
}
