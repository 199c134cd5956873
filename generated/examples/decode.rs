//! Checks a payload against the typed events: decodes it and prints the JSON re-encoded from
//! the typed value, then (on stderr) every field kept as received because it does not fit its
//! documented type; or the error with its JSON path.
//!
//! ```sh
//! cargo run -p commerce-webhooks --example decode -- shopify --topic orders/create payload.json
//! cargo run -p commerce-webhooks --example decode -- bigcommerce callback.json   # topic read from the body
//! ```
//!
//! Exit status: 0 decoded, 1 the payload does not decode, 2 bad arguments.

use std::process::ExitCode;

use commerce_webhooks::DecodeError;

const USAGE: &str = "usage: decode <shopify|bigcommerce|shopware|ecwid> [--topic TOPIC] <payload.json>
  --topic is required for shopify (its topic travels in a header) and optional for the others";

/// The typed event re-encoded as JSON, and where values were kept as received.
type Decoded = (String, Vec<commerce_webhooks::FieldMismatch>);

/// Decodes `body` for `platform`.
fn decode(platform: &str, topic: Option<&str>, body: &[u8]) -> Result<Result<Decoded, DecodeError>, String> {
    fn encode<E: serde::Serialize>(event: Result<E, DecodeError>) -> Result<Decoded, DecodeError> {
        event.map(|event| {
            let json = serde_json::to_string_pretty(&event).expect("a decoded event always encodes");
            (json, commerce_webhooks::mismatches(&event))
        })
    }
    Ok(match (platform, topic) {
        #[cfg(feature = "shopify")]
        ("shopify", Some(topic)) => encode(commerce_webhooks::shopify::Event::from_delivery(topic, body)),
        #[cfg(feature = "shopify")]
        ("shopify", None) => return Err("shopify needs --topic (the X-Shopify-Topic header)".into()),
        #[cfg(feature = "bigcommerce")]
        ("bigcommerce", Some(topic)) => encode(commerce_webhooks::bigcommerce::Event::from_delivery(topic, body)),
        #[cfg(feature = "bigcommerce")]
        ("bigcommerce", None) => encode(commerce_webhooks::bigcommerce::Event::from_body(body)),
        #[cfg(feature = "shopware")]
        ("shopware", Some(topic)) => encode(commerce_webhooks::shopware::Event::from_delivery(topic, body)),
        #[cfg(feature = "shopware")]
        ("shopware", None) => encode(commerce_webhooks::shopware::Event::from_body(body)),
        #[cfg(feature = "ecwid")]
        ("ecwid", Some(topic)) => encode(commerce_webhooks::ecwid::Event::from_delivery(topic, body)),
        #[cfg(feature = "ecwid")]
        ("ecwid", None) => encode(commerce_webhooks::ecwid::Event::from_body(body)),
        (other, _) => return Err(format!("unknown platform `{other}` (or its feature is off)")),
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (platform, topic, file) = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [platform, "--topic", topic, file] => (platform.to_owned(), Some(topic.to_owned()), file.to_owned()),
        [platform, file] => (platform.to_owned(), None, file.to_owned()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let body = match std::fs::read(&file) {
        Ok(body) => body,
        Err(e) => {
            eprintln!("cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    match decode(&platform, topic.as_deref(), &body) {
        Ok(Ok((json, kept))) => {
            println!("{json}");
            for mismatch in kept {
                eprintln!("{file}: {mismatch}");
            }
            ExitCode::SUCCESS
        }
        Ok(Err(error)) => {
            eprintln!("{file}: {error}");
            ExitCode::FAILURE
        }
        Err(usage) => {
            eprintln!("{usage}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
