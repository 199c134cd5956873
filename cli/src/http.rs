//! The plain HTTP/1.1 client `send` and `load` post deliveries with.

use std::time::Duration;

/// An agent that reports every status (a 401 is an answer, not an error), waits `timeout` for
/// each response, and keeps up to `connections` idle connections per host.
pub fn agent(timeout: Duration, connections: usize) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .max_idle_connections_per_host(connections.max(1))
        .build()
        .into()
}

/// POSTs `body` with `headers` to `url`: the response's status, or why there was none.
pub fn post(agent: &ureq::Agent, url: &str, headers: &[(String, String)], body: &[u8]) -> Result<u16, String> {
    let mut request = agent.post(url);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request.send(body).map_err(|e| format!("cannot reach {url}: {e}"))?;
    Ok(response.status().as_u16())
}
