//! The calendar's gaps as the admin home and the overview word them.

use chrono::Datelike;

use crate::domain::calendar::format_date;
use crate::domain::calendar_coverage::{Gap, Moving};
use crate::i18n::Tr;

pub struct GapView {
    pub text: String,
    /// The form value that adds the proposal (`None`: nothing to add).
    pub key: Option<String>,
    /// "Đề xuất: 05/02/2027, 08/02/2027, …" (empty without a proposal).
    pub proposal: String,
}

pub fn views(t: &Tr, gaps: &[Gap]) -> Vec<GapView> {
    gaps.iter().map(|g| view(t, g)).collect()
}

fn view(t: &Tr, gap: &Gap) -> GapView {
    match gap {
        Gap::Expected { day, name } => GapView {
            text: t.tn(
                "calendar-gap-expected",
                vec![
                    ("date", format_date(*day).into()),
                    ("name", name.clone().into()),
                ],
            ),
            key: None,
            proposal: String::new(),
        },
        Gap::Missing { holiday, proposal } => {
            let text = match holiday {
                Moving::Tet { new_year } => t.tn(
                    "calendar-gap-tet",
                    vec![
                        ("year", new_year.year().to_string().into()),
                        ("date", format_date(*new_year).into()),
                    ],
                ),
                Moving::GioTo { day } => t.tn(
                    "calendar-gap-gio-to",
                    vec![
                        ("year", day.year().to_string().into()),
                        ("date", format_date(*day).into()),
                    ],
                ),
                Moving::NationalDaySecond { year } => {
                    t.t1("calendar-gap-national-day", "year", year.to_string())
                }
            };
            let days: Vec<String> = proposal.iter().map(|p| format_date(p.day)).collect();
            GapView {
                text,
                key: (!proposal.is_empty()).then(|| holiday.key()),
                proposal: if days.is_empty() {
                    String::new()
                } else {
                    t.t1("calendar-gap-proposal", "days", days.join(", "))
                },
            }
        }
    }
}
