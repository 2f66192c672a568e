//! Reference data: handling units, contacts, lĩnh vực, content categories, routing rules,
//! reason templates and the working-day calendar. Seeded from files embedded at build
//! time ([`seed`]), edited by admins in the database, and cached in memory by every
//! instance under a version number that every edit bumps ([`cache`]).

pub mod cache;
pub mod seed;

pub use cache::ReferenceCache;
