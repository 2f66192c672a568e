//! The calendar part of `pakn check-config`: what the working-day calendar lacks for
//! the year ahead, one line each (in the language operators read in: English, with the
//! Vietnamese holiday names), when the database answers.

use std::time::Duration;

use chrono::Datelike;

use crate::config::Config;
use crate::domain::calendar::{format_date, local_date};
use crate::domain::calendar_coverage::{Gap, Moving};

/// How long check-config waits for the database before skipping the calendar.
const WAIT: Duration = Duration::from_secs(5);

/// One line per gap.
pub fn describe(gap: &Gap) -> String {
    match gap {
        Gap::Missing { holiday, proposal } => {
            let what = match holiday {
                Moving::Tet { new_year } => format!(
                    "Tết Nguyên đán {} (mùng 1 Tết {}) is missing",
                    new_year.year(),
                    format_date(*new_year)
                ),
                Moving::GioTo { day } => format!(
                    "Giỗ Tổ Hùng Vương {} (10/3 âm lịch, {}) is missing",
                    day.year(),
                    format_date(*day)
                ),
                Moving::NationalDaySecond { year } => {
                    format!("the second day of Quốc khánh {year} (01/09 or 03/09) is missing")
                }
            };
            let days: Vec<String> = proposal.iter().map(|p| format_date(p.day)).collect();
            if days.is_empty() {
                what
            } else {
                format!("{what}; proposed: {}", days.join(", "))
            }
        }
        Gap::Expected { day, name } => format!(
            "{} ({name}) is still marked expected: confirm it against the official notice",
            format_date(*day)
        ),
    }
}

/// Prints the calendar's gaps (or why they were not checked); the number of gaps.
pub async fn print(cfg: &Config) -> usize {
    let connected = tokio::time::timeout(WAIT, crate::db::connect(&cfg.database.url)).await;
    let Ok(Ok(mut conn)) = connected else {
        println!("  calendar    not checked (the database does not answer)");
        return 0;
    };
    let today = local_date(chrono::Utc::now());
    match crate::db::admin::calendar::gaps(&mut conn, today).await {
        Ok(gaps) if gaps.is_empty() => {
            println!("  calendar    complete for the next 12 months");
            0
        }
        Ok(gaps) => {
            println!("  calendar    WARNING: the next 12 months are incomplete:");
            for gap in &gaps {
                println!("    - {}", describe(gap));
            }
            println!(
                "    (deadlines across a missing holiday come out early; add the days in /staff/admin)"
            );
            gaps.len()
        }
        Err(e) => {
            println!("  calendar    not checked ({e})");
            0
        }
    }
}
