//! axe-core accessibility audits in a [`Browser`]: the vendored `axe/axe.min.js` (see
//! `axe/README.md`) is injected through WebDriver, which the pages' Content-Security-Policy
//! does not govern (it is not page script), then `axe.run` reports the violations.

use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use super::browser::Browser;

/// axe-core 4.14.1, as published in the npm package `axe-core`.
const AXE_SOURCE: &str = include_str!("axe/axe.min.js");

/// Runs axe on the whole document and collects its violations (page script still loading
/// when this runs is fine: WebDriver returns after the load event).
const RUN: &str = r#"
const done = arguments[arguments.length - 1];
window.axe.run(document, { resultTypes: ["violations"] })
  .then(function (r) {
    done({ violations: r.violations.map(function (v) {
      return {
        id: v.id, impact: v.impact || "", help: v.help, help_url: v.helpUrl,
        nodes: v.nodes.map(function (n) {
          return {
            target: n.target.map(String).join(" "),
            html: n.html.slice(0, 400),
            summary: n.failureSummary || "",
          };
        }),
      };
    }) });
  })
  .catch(function (e) { done({ error: String(e) }); });
"#;

/// One failed axe rule with the elements that fail it.
#[derive(Debug, Clone, Deserialize)]
pub struct Violation {
    pub id: String,
    /// minor, moderate, serious or critical.
    pub impact: String,
    pub help: String,
    pub help_url: String,
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Node {
    pub target: String,
    pub html: String,
    pub summary: String,
}

impl Violation {
    /// Whether this violation fails the tests (serious or critical).
    pub fn blocking(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "  [{}] {}: {} ({})",
            self.impact, self.id, self.help, self.help_url
        )?;
        for node in &self.nodes {
            writeln!(f, "    at {}", node.target)?;
            writeln!(f, "       {}", node.html.replace('\n', " "))?;
            for line in node.summary.lines() {
                writeln!(f, "       | {line}")?;
            }
        }
        Ok(())
    }
}

/// Audits the page the browser shows and returns every violation axe finds.
pub async fn audit(b: &Browser) -> Vec<Violation> {
    let loaded = b
        .client
        .execute("return typeof window.axe === 'object';", Vec::new())
        .await
        .unwrap_or(Value::Bool(false));
    if loaded != Value::Bool(true)
        && let Err(e) = b.client.execute(AXE_SOURCE, Vec::new()).await
    {
        panic!("injecting axe-core: {e}");
    }
    let outcome = match b.client.execute_async(RUN, Vec::new()).await {
        Ok(value) => value,
        Err(e) => panic!("running axe-core: {e}"),
    };
    if let Some(error) = outcome.get("error") {
        panic!("axe-core failed: {error}");
    }
    match serde_json::from_value(outcome["violations"].clone()) {
        Ok(violations) => violations,
        Err(e) => panic!("reading axe-core's answer {outcome}: {e}"),
    }
}

/// Audits the page and returns a readable report of its serious and critical violations,
/// empty when there is none.
pub async fn blocking_report(b: &Browser, page: &str) -> String {
    let violations = audit(b).await;
    for v in violations.iter().filter(|v| !v.blocking()) {
        eprintln!("{page}: axe-core notes (not failing):\n{v}");
    }
    let blocking: Vec<&Violation> = violations.iter().filter(|v| v.blocking()).collect();
    if blocking.is_empty() {
        return String::new();
    }
    let mut report = format!(
        "{page}: {} serious/critical axe violation(s)\n",
        blocking.len()
    );
    for v in blocking {
        report.push_str(&v.to_string());
    }
    report
}
