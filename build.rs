//! Rebuilds the crate when files that macros embed change: fluent-templates reads every
//! `.ftl` file of `templates/locales/`, and `embed_migrations!` reads `migrations/`;
//! neither tells cargo about files added later.

fn main() {
    println!("cargo:rerun-if-changed=templates/locales");
    println!("cargo:rerun-if-changed=migrations");
}
