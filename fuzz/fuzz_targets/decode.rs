//! `Event::from_delivery(topic, body)` and `Event::from_body(body)` on every platform: never
//! panic; a decoded event re-encodes to exactly the body's JSON; `mismatches` works; no error
//! or mismatch text quotes a value of the body.
//!
//! Input: one selector byte (platform), the topic up to the first `\n`, then the body.
#![no_main]

use fuzz_support::{platform, split_line};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let (topic, body) = split_line(rest);
    let topic = String::from_utf8_lossy(topic);
    let platform = platform(selector);
    (platform.decode)(&topic, body);
    (platform.decode_body)(body);
});
