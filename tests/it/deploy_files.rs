//! Issue 19, item 5: the deployment files in `deploy/` are at least parsed and checked
//! here, since container images cannot be pulled on these machines (so neither the
//! Dockerfile nor the compose file is built or run; docs/operations.md says so):
//!
//! - `compose.yaml` is YAML with the three services, each with a healthcheck, pakn
//!   waiting for healthy Postgres and Mailpit, and its environment accepted by
//!   `pakn check-config` (an unknown or wrong key fails it);
//! - `pakn.env.example` is accepted by `pakn check-config` the same way;
//! - `pakn.service` has the hardening and drain settings (and `systemd-analyze verify`
//!   accepts it where systemd is installed);
//! - `nginx-pakn.conf` passes `nginx -t` with a self-signed certificate made here;
//! - the `Dockerfile` has a build stage and a slim runtime stage that runs as a non-root
//!   user, and copies only paths that exist.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::Value;

use crate::scale_out::nginx_bin;

const BIN: &str = env!("CARGO_BIN_EXE_pakn");

fn deploy(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(deploy(name)).unwrap_or_else(|e| panic!("deploy/{name}: {e}"))
}

/// Runs `pakn check-config` with only these `PAKN_…` variables (no config file):
/// whether it succeeded, and its output.
fn run_check_config(vars: &[(String, String)]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("dir");
    let mut cmd = Command::new(BIN);
    cmd.arg("check-config").current_dir(dir.path());
    for (k, _) in std::env::vars() {
        if k.starts_with("PAKN_") || k == "DATABASE_URL" {
            cmd.env_remove(k);
        }
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run pakn check-config");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// As [`run_check_config`], failing the test when pakn refuses the configuration.
fn check_config(vars: &[(String, String)], what: &str) -> String {
    let (ok, text) = run_check_config(vars);
    assert!(ok, "{what}: pakn check-config: {text}");
    text
}

/// Compose's `${NAME:-default}` and `${NAME:?message}`: the default, or `value`.
fn interpolate(s: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closing brace") + start;
        let inner = &rest[start + 2..end];
        match inner.split_once(":-") {
            Some((_, default)) => out.push_str(default),
            None => out.push_str(value),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn compose_has_the_three_services_with_healthchecks_and_a_valid_pakn_environment() {
    let doc: Value = serde_norway::from_str(&read("compose.yaml")).expect("compose.yaml is YAML");
    let services = doc["services"].as_mapping().expect("services");
    let names: Vec<&str> = services.keys().filter_map(Value::as_str).collect();
    for want in ["pakn", "postgres", "mailpit"] {
        assert!(names.contains(&want), "service {want} in {names:?}");
        let test = &doc["services"][want]["healthcheck"]["test"];
        assert!(
            test.as_sequence().is_some_and(|t| !t.is_empty()),
            "{want} has a healthcheck"
        );
    }
    let pakn = &doc["services"]["pakn"];
    assert_eq!(
        pakn["build"]["dockerfile"].as_str(),
        Some("deploy/Dockerfile")
    );
    let context = deploy(pakn["build"]["context"].as_str().expect("build context"));
    assert!(
        context.join("Cargo.toml").exists(),
        "the context is the repository"
    );
    for dep in ["postgres", "mailpit"] {
        assert_eq!(
            pakn["depends_on"][dep]["condition"].as_str(),
            Some("service_healthy"),
            "pakn waits for {dep}"
        );
    }
    let env: Vec<(String, String)> = pakn["environment"]
        .as_mapping()
        .expect("environment as a mapping")
        .iter()
        .map(|(k, v)| {
            let k = k.as_str().expect("name").to_string();
            let v = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => panic!("{k}: {other:?}"),
            };
            (k, interpolate(&v, "0123456789abcdef0123456789abcdef"))
        })
        .collect();
    assert!(env.iter().all(|(k, _)| k.starts_with("PAKN_")));
    let db_url = &env
        .iter()
        .find(|(k, _)| k == "PAKN_DATABASE__URL")
        .expect("db")
        .1;
    assert!(db_url.contains("@postgres:5432/"), "{db_url}");
    let out = check_config(&env, "compose.yaml");
    assert!(out.contains("mail        smtp"), "{out}");
    assert!(out.contains("0.0.0.0:8080"), "{out}");
}

#[test]
fn the_example_environment_file_is_accepted_by_pakn() {
    let vars: Vec<(String, String)> = read("pakn.env.example")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("KEY=VALUE");
            (k.to_string(), v.to_string())
        })
        .collect();
    for key in [
        "PAKN_DATABASE__URL",
        "PAKN_SECURITY__SECRET",
        "PAKN_SERVER__PUBLIC_URL",
        "PAKN_SERVER__TRUSTED_PROXIES",
        "PAKN_MAIL__SMTP__PASSWORD",
    ] {
        assert!(
            vars.iter().any(|(k, _)| k == key),
            "{key} in pakn.env.example"
        );
    }
    // The placeholder secret stops pakn, so nobody runs with it by mistake.
    let (ok, text) = run_check_config(&vars);
    assert!(!ok && text.contains("security.secret"), "{text}");
    let vars: Vec<(String, String)> = vars
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "PAKN_SECURITY__SECRET" => (k, "0123456789abcdef".repeat(4)),
            _ => (k, v),
        })
        .collect();
    let out = check_config(&vars, "pakn.env.example");
    assert!(out.contains("https://pakn.example.gov.vn"), "{out}");
}

/// `Key=value` lines per section; a key may repeat.
fn unit_keys(text: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut section = String::new();
    let mut keys: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            section = line.trim_matches(['[', ']']).to_string();
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not a key: {line}"));
        keys.entry((section.clone(), k.to_string()))
            .or_default()
            .push(v.to_string());
    }
    keys
}

#[test]
fn the_systemd_unit_is_hardened_and_drains_on_sigterm() {
    let text = read("pakn.service");
    let keys = unit_keys(&text);
    let one = |k: &str| -> String {
        let v = keys
            .get(&("Service".to_string(), k.to_string()))
            .unwrap_or_else(|| panic!("[Service] {k}"));
        v.last().expect("a value").clone()
    };
    assert!(one("ExecStart").ends_with("pakn serve"));
    assert!(one("ExecStartPre").ends_with("pakn migrate"));
    assert_eq!(one("EnvironmentFile"), "/etc/pakn/pakn.env");
    assert_eq!(one("User"), "pakn");
    for (k, v) in [
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("NoNewPrivileges", "yes"),
        ("CapabilityBoundingSet", ""),
        ("Restart", "on-failure"),
        ("KillSignal", "SIGTERM"),
    ] {
        assert_eq!(one(k), v, "[Service] {k}");
    }
    let families = one("RestrictAddressFamilies");
    for family in ["AF_INET", "AF_INET6", "AF_UNIX"] {
        assert!(families.contains(family), "{family}");
    }
    let filters = &keys[&("Service".to_string(), "SystemCallFilter".to_string())];
    assert!(
        filters.iter().any(|f| f == "@system-service"),
        "{filters:?}"
    );
    // systemd must wait longer than pakn's own grace period before it kills.
    let stop: u64 = one("TimeoutStopSec")
        .trim_end_matches('s')
        .parse()
        .expect("seconds");
    assert!(stop > pakn::config::Config::default().server.shutdown_grace_secs);
    assert_eq!(
        keys.get(&("Install".to_string(), "WantedBy".to_string())),
        Some(&vec!["multi-user.target".to_string()])
    );
    // Where systemd is installed, its own checker (it wants the binary in place, so
    // point it at this build's).
    if Path::new("/usr/bin/systemd-analyze").exists() {
        let dir = tempfile::tempdir().expect("dir");
        let unit = dir.path().join("pakn.service");
        std::fs::write(&unit, text.replace("/usr/local/bin/pakn", BIN)).expect("unit");
        let out = Command::new("/usr/bin/systemd-analyze")
            .arg("verify")
            .arg(&unit)
            .output()
            .expect("systemd-analyze");
        let err = String::from_utf8_lossy(&out.stderr);
        // Outside a booted system it may not reach the manager; then say nothing.
        let unavailable = err.contains("Failed to") && err.contains("bus");
        // It warns about a value it cannot parse and still exits 0: any line naming
        // the unit is a failure.
        assert!(
            unavailable || (out.status.success() && !err.contains("pakn.service")),
            "systemd-analyze verify: {err}"
        );
    }
}

#[test]
fn the_nginx_site_passes_nginx_t_with_a_test_certificate() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=pakn.example.gov.vn"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let site = read("nginx-pakn.conf");
    // What the proxy must do for pakn.
    for needed in [
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_next_upstream error timeout http_502 http_503;",
        "ssl_protocols TLSv1.2 TLSv1.3;",
        "Strict-Transport-Security",
    ] {
        assert!(site.contains(needed), "the site has {needed}");
    }
    let directives: Vec<&str> = site
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert!(
        !directives.iter().any(|l| l.contains("non_idempotent")),
        "POSTs are never resent"
    );
    // Kept-alive upstream connections close from nginx's side first: idle for less than
    // pakn's header-read timeout, after which pakn closes them (a POST sent on a
    // connection closing at that moment would be lost).
    if directives.iter().any(|l| l.starts_with("keepalive ")) {
        let idle_secs: u64 = directives
            .iter()
            .find_map(|l| l.strip_prefix("keepalive_timeout "))
            .and_then(|v| v.trim_end_matches(';').trim_end_matches('s').parse().ok())
            .expect("an upstream keepalive_timeout in seconds beside keepalive");
        let pakn_idle = pakn::config::Config::default()
            .server
            .header_read_timeout_secs;
        assert!(
            idle_secs < pakn_idle,
            "nginx keeps idle connections {idle_secs} s, pakn {pakn_idle} s"
        );
        assert!(
            site.contains("proxy_set_header Connection \"\";"),
            "HTTP/1.1 upstream requests without Connection: close"
        );
    }
    let servers = site
        .lines()
        .filter(|l| l.trim_start().starts_with("server ") && l.contains(':'))
        .count();
    assert!(servers >= 2, "several instances upstream");
    let body_mb: usize = site
        .lines()
        .find_map(|l| l.trim().strip_prefix("client_max_body_size "))
        .and_then(|v| v.trim_end_matches(';').trim_end_matches('m').parse().ok())
        .expect("client_max_body_size in MiB");
    let uploads = pakn::config::Config::default().uploads;
    assert!(
        body_mb > uploads.max_files * uploads.max_file_mb,
        "{body_mb} MiB"
    );

    let logs = dir.path().display().to_string();
    let site = site
        .replace(
            "/etc/letsencrypt/live/pakn.example.gov.vn/fullchain.pem",
            &cert.display().to_string(),
        )
        .replace(
            "/etc/letsencrypt/live/pakn.example.gov.vn/privkey.pem",
            &key.display().to_string(),
        )
        .replace("/var/log/nginx", &logs);
    std::fs::write(dir.path().join("pakn.conf"), site).expect("site");
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "pid {logs}/nginx.pid;\nevents {{ worker_connections 64; }}\nhttp {{\n    \
             client_body_temp_path {logs}/body;\n    proxy_temp_path {logs}/proxy;\n    \
             include {logs}/pakn.conf;\n}}\n"
        ),
    )
    .expect("nginx.conf");
    let out = Command::new(nginx_bin())
        .arg("-t")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .arg("-e")
        .arg(dir.path().join("error.log"))
        .output()
        .expect("nginx -t (apt-get install nginx-light)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "nginx -t: {err}");
    assert!(err.contains("test is successful"), "{err}");
}

#[test]
fn the_dockerfile_builds_with_rust_and_runs_slim_as_a_non_root_user() {
    let text = read("Dockerfile");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Instructions with their continuation lines joined.
    let joined = text.replace("\\\n", " ");
    let lines: Vec<&str> = joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let stages: Vec<(&str, &str)> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("FROM "))
        .map(|l| {
            let mut words = l.split_whitespace();
            let image = words.next().expect("image");
            let name = match (words.next(), words.next()) {
                (Some(a), Some(name)) if a.eq_ignore_ascii_case("AS") => name,
                _ => "",
            };
            (image, name)
        })
        .collect();
    assert_eq!(stages.len(), 2, "{stages:?}");
    assert!(
        stages[0].0.starts_with("rust:"),
        "built with the Rust image"
    );
    assert_eq!(stages[0].1, "build");
    assert!(stages[1].0.starts_with("debian:") && stages[1].0.ends_with("-slim"));
    let runtime: Vec<&str> = lines
        .iter()
        .skip_while(|l| !l.starts_with("FROM debian"))
        .copied()
        .collect();
    let user = runtime
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER in the runtime stage");
    assert!(
        !user.starts_with("root") && !user.starts_with('0'),
        "{user}"
    );
    let copies: Vec<&&str> = runtime.iter().filter(|l| l.starts_with("COPY")).collect();
    assert_eq!(copies.len(), 1, "only the binary: {copies:?}");
    assert!(
        copies[0].starts_with("COPY --from=build ") && copies[0].ends_with("/usr/local/bin/pakn")
    );
    assert!(runtime.iter().any(|l| l.contains("ca-certificates")));
    assert!(
        runtime
            .iter()
            .any(|l| l.starts_with("ENTRYPOINT") && l.contains("pakn"))
    );
    // Every path the build stage copies exists in the repository.
    for l in lines.iter().take_while(|l| !l.starts_with("FROM debian")) {
        if let Some(args) = l.strip_prefix("COPY ") {
            let words: Vec<&str> = args.split_whitespace().collect();
            for src in &words[..words.len() - 1] {
                assert!(root.join(src).exists(), "COPY {src}: no such path");
            }
        }
    }
}
