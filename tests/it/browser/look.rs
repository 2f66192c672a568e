//! The look, measured in the browser: on every public page at 320 px wide no sideways
//! scrolling, every form control at 16 px or more (phones zoom into smaller ones), every tap
//! target at least 44 px tall, a title and a language; the staff pages at 1280 px with their
//! header aligned on their content. Links inside a sentence are exempt from the tap-target
//! size (WCAG 2.5.8 exempts inline targets whose size the line of text sets); links on their
//! own (navigation, lists of links, "back" links), buttons and form controls are not.

use serde_json::Value;

use super::{CHIEF, Site, form_with_errors, sign_in};
use crate::support::browser::{Browser, with_browser};

/// What the page breaks, as readable lines; empty when it passes.
const MEASURE: &str = r##"
const out = [];
const doc = document.documentElement;
if (doc.scrollWidth > doc.clientWidth) {
  const wide = [];
  document.querySelectorAll("body *").forEach(function (el) {
    const r = el.getBoundingClientRect();
    if (r.right > doc.clientWidth + 0.5 && r.width > 0) wide.push(el);
  });
  // Report the outermost elements that stick out.
  const top = wide.filter(function (el) { return !wide.includes(el.parentElement); });
  out.push("scrolls sideways: " + doc.scrollWidth + " > " + doc.clientWidth + " px, because of " +
    top.slice(0, 5).map(describe).join("; "));
}
if (!document.title.trim()) out.push("no <title>");
if (!(doc.getAttribute("lang") || "").trim()) out.push("no <html lang>");

function describe(el) {
  let s = el.tagName.toLowerCase();
  if (el.id) s += "#" + el.id;
  if (el.className && typeof el.className === "string") s += "." + el.className.trim().split(/\s+/).join(".");
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ");
  if (text) s += " \"" + text.slice(0, 40) + "\"";
  return s;
}
function shown(el) {
  if (el.closest("[hidden], .hp, .visually-hidden, details:not([open]) > :not(summary)")) return false;
  const st = getComputedStyle(el);
  if (st.display === "none" || st.visibility === "hidden") return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > -window.scrollY;
}
const controls = "input:not([type=hidden]), select, textarea";
document.querySelectorAll(controls).forEach(function (el) {
  if (!shown(el)) return;
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < 16) out.push("form control at " + size + " px: " + describe(el));
});
if (window.__checkTargets) {
  const targets = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  document.querySelectorAll(targets).forEach(function (el) {
    if (!shown(el) || el.classList.contains("skip")) return;
    let box = el;
    // A checkbox or radio is tapped through its label.
    if (el.matches("input[type=checkbox], input[type=radio]")) box = el.closest("label") || el;
    const st = getComputedStyle(box);
    if (el.tagName === "A" && st.display === "inline" && !el.closest("nav")) {
      // In a sentence: the parent block says more than the link.
      const block = el.parentElement;
      const rest = (block.innerText || "").replace(el.innerText || "", "").trim();
      if (rest.length > 0) return;
    }
    const h = box.getBoundingClientRect().height;
    if (h < 43.5) out.push("tap target " + Math.round(h) + " px tall: " + describe(el));
  });
}
return out;
"##;

async fn measure(b: &Browser, targets: bool) -> Vec<String> {
    let script = format!("window.__checkTargets = {targets};\n{MEASURE}");
    match b.eval(&script).await {
        Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect(),
        other => panic!("unexpected measurement {other}"),
    }
}

async fn check(b: &Browser, name: &str, targets: bool, report: &mut String) {
    let _ = b.screenshot(name).await;
    for problem in measure(b, targets).await {
        report.push_str(&format!("{name}: {problem}\n"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_fit_a_320_px_phone_with_readable_inputs_and_large_tap_targets() {
    let site = Site::build().await;
    let base = site.app.base.clone();
    let mut report = String::new();

    with_browser("look/public-320", 320, 640, async |b: &Browser| {
        for (name, path) in site.public_pages() {
            b.goto(&format!("{base}{path}")).await;
            check(b, name, true, &mut report).await;
        }
        form_with_errors(b, &base).await;
        check(b, "form-with-errors", true, &mut report).await;
    })
    .await;

    // Wide screens: nothing stretches or sticks out; the screenshots show the layout.
    with_browser("look/public-1280", 1280, 800, async |b: &Browser| {
        for (name, path) in site.public_pages() {
            b.goto(&format!("{base}{path}")).await;
            check(b, name, false, &mut report).await;
        }
    })
    .await;

    with_browser("look/staff-1280", 1280, 800, async |b: &Browser| {
        b.goto(&format!("{base}/staff/login")).await;
        check(b, "login", false, &mut report).await;
        sign_in(b, &base, CHIEF).await;
        for (name, path) in site.staff_pages() {
            b.goto(&format!("{base}{path}")).await;
            check(b, name, false, &mut report).await;
            // On a desktop, tables fit without scrolling inside their box; the periodic
            // report's table (21 figures a line, as the administrative report has them)
            // is the one that scrolls sideways in its box by design.
            let inner = b
                .eval(
                    "return Array.from(document.querySelectorAll('.table-wrap:not(.report-wrap), .table-scroll'))
                        .filter(e => e.scrollWidth > e.clientWidth + 1)
                        .map(e => e.scrollWidth + ' > ' + e.clientWidth);",
                )
                .await;
            if inner.as_array().is_some_and(|a| !a.is_empty()) {
                report.push_str(&format!("{name}: a table scrolls inside its box: {inner}\n"));
            }
            // The header's brand starts where the content starts.
            let edges = b
                .eval(
                    "return [document.querySelector('.site-header .brand').getBoundingClientRect().left,
                             (function () { const m = document.querySelector('main');
                               return m.getBoundingClientRect().left + parseFloat(getComputedStyle(m).paddingLeft); })()];",
                )
                .await;
            let (brand, heading) = (edges[0].as_f64(), edges[1].as_f64());
            if let (Some(brand), Some(heading)) = (brand, heading)
                && (brand - heading).abs() > 1.0
            {
                report.push_str(&format!(
                    "{name}: the header starts at {brand} px, the content at {heading} px\n"
                ));
            }
        }
    })
    .await;

    site.stop().await;
    assert!(report.is_empty(), "the look:\n{report}");
}
