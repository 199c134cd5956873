//! `check`: decodes payload files with the typed events (what the `decode` example did).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use commerce_webhooks::testing::Fixtures;
use commerce_webhooks::Location;

use crate::platform::{Platform, WithEvent};

/// Decodes each file; prints the re-encoded event on stdout and kept mismatches on stderr.
pub fn run(platform: Platform, topic: Option<&str>, files: &[PathBuf]) -> Result<ExitCode, String> {
    let mut all_decoded = true;
    for file in files {
        let body = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        all_decoded &= platform.with_event(Check { topic, file, body: &body })?;
    }
    Ok(if all_decoded { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

struct Check<'a> {
    topic: Option<&'a str>,
    file: &'a Path,
    body: &'a [u8],
}

impl WithEvent for Check<'_> {
    type Output = Result<bool, String>;

    fn run<E: Fixtures>(self) -> Self::Output {
        let decoded = match (self.topic, E::DELIVERY.topic) {
            (Some(topic), _) => E::from_delivery(topic, self.body),
            (None, Location::Body(..)) => E::from_body(self.body),
            (None, Location::Header(header)) => {
                return Err(format!("--topic is required: this platform sends the topic in the `{header}` header"))
            }
        };
        let file = self.file.display();
        match decoded {
            Ok(event) => {
                let json = serde_json::to_string_pretty(&event).map_err(|e| format!("{file}: {e}"))?;
                println!("{json}");
                for mismatch in commerce_webhooks::mismatches(&event) {
                    eprintln!("{file}: {mismatch}");
                }
                Ok(true)
            }
            Err(error) => {
                eprintln!("{file}: {error}");
                Ok(false)
            }
        }
    }
}
