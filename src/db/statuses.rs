//! The open statuses in SQL, written once (see the `open_status_sql!` macro in
//! `db/mod.rs`, which SQL text built with `concat!` uses).

/// `status IN (<the open statuses>)`.
pub const OPEN_STATUS_SQL: &str = open_status_sql!();

#[cfg(test)]
mod tests {
    use super::OPEN_STATUS_SQL;
    use crate::domain::status::Status;

    fn listed(sql: &str) -> Vec<String> {
        let inside = sql
            .split_once("IN (")
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(list, _)| list)
            .unwrap_or_default();
        inside
            .split(',')
            .map(|s| s.trim().trim_matches('\'').to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    #[test]
    fn the_sql_lists_exactly_the_open_statuses() {
        let open: Vec<String> = Status::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str().to_string())
            .collect();
        assert_eq!(listed(OPEN_STATUS_SQL), open);
    }

    #[test]
    fn the_partial_index_has_the_same_predicate() {
        let migration = include_str!("../../migrations/2026-11-27-000005_queue_indexes/up.sql");
        let index = migration
            .split("CREATE INDEX tickets_open_due")
            .nth(1)
            .expect("the migration creates tickets_open_due");
        let predicate = index
            .split("WHERE ")
            .nth(1)
            .and_then(|p| p.split(';').next())
            .expect("tickets_open_due is partial");
        assert_eq!(predicate.trim(), OPEN_STATUS_SQL);
    }
}
