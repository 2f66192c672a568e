//! The Vietnamese lunar calendar (âm lịch), for the holidays that follow it: Tết
//! Nguyên đán (1/1) and Giỗ Tổ Hùng Vương (10/3).
//!
//! Computed astronomically in Vietnam's time zone (UTC+7), which is why Vietnam's lunar
//! new year sometimes differs from China's (1985 by a month, 2007 and 2030 by a day):
//! a lunar month starts on the day of the new moon in UTC+7; month 11 is the one
//! containing the winter solstice; a year with 13 months repeats the first month after
//! month 11 that holds no major solar term. The new moons and the sun's longitude use
//! the series from Jean Meeus, *Astronomical Algorithms* (the method of Hồ Ngọc Đức's
//! published Vietnamese calendar), precise to well under a day for 1800–2200.

use std::f64::consts::PI;

use chrono::{Datelike, NaiveDate};

/// Vietnam's offset from UTC, in hours.
const TIME_ZONE: f64 = 7.0;
/// The mean length of a lunation, in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;
/// The Julian day number of 1900-01-01 minus the offset of the first new moon of the
/// series (k = 0 is the new moon of 1900-01-01 13:52 UT).
const EPOCH: f64 = 2_415_021.076_998_695;

/// The Julian day number of `d` (noon-based, integer).
fn julian_day(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) + 1_721_425
}

fn from_julian_day(jd: i64) -> Option<NaiveDate> {
    i32::try_from(jd - 1_721_425)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// The moment (Julian date, UT) of the `k`-th new moon after 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let (t2, t3) = (t * t, t * t * t);
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin()
        - 0.4068 * (mpr * dr).sin()
        + 0.0161 * (dr * 2.0 * mpr).sin()
        - 0.0004 * (dr * 3.0 * mpr).sin()
        + 0.0104 * (dr * 2.0 * f).sin()
        - 0.0051 * (dr * (m + mpr)).sin()
        - 0.0074 * (dr * (m - mpr)).sin()
        + 0.0004 * (dr * (2.0 * f + m)).sin()
        - 0.0004 * (dr * (2.0 * f - m)).sin()
        - 0.0006 * (dr * (2.0 * f + mpr)).sin()
        + 0.0010 * (dr * (2.0 * f - mpr)).sin()
        + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// The Julian day number of the day (in Vietnam) of the `k`-th new moon.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// The sun's apparent longitude at the start of day `jdn` in Vietnam, as the index of
/// its 30° sector (0–11; a major solar term begins each sector).
fn sun_sector(jdn: i64) -> i64 {
    let jd = jdn as f64 - 0.5 - TIME_ZONE / 24.0;
    let t = (jd - 2_451_545.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin()
        + (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin()
        + 0.000_290 * (dr * 3.0 * m).sin();
    let mut l = (l0 + dl) * dr;
    l -= 2.0 * PI * (l / (2.0 * PI)).floor();
    (l / PI * 6.0).floor() as i64
}

/// The first day of lunar month 11 of the lunar year around Gregorian year `year` (the
/// month holding the December solstice).
fn month_11(year: i32) -> Option<i64> {
    let off = julian_day(NaiveDate::from_ymd_opt(year, 12, 31)?) - 2_415_021;
    let k = (off as f64 / SYNODIC_MONTH).floor() as i64;
    let nm = new_moon_day(k);
    Some(if sun_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    })
}

/// In a 13-month year starting at month 11 on `a11`, the offset (from month 11) of the
/// month that holds no major solar term: the leap month.
fn leap_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

/// The Gregorian date of lunar `day`/`month` (not a leap month) of lunar year `year`
/// (the lunar year whose new year falls in Gregorian `year`).
pub fn to_solar(day: u32, month: u32, year: i32) -> Option<NaiveDate> {
    if !(1..=30).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    let (a11, b11) = if month < 11 {
        (month_11(year - 1)?, month_11(year)?)
    } else {
        (month_11(year)?, month_11(year + 1)?)
    };
    let k = (0.5 + (a11 as f64 - EPOCH) / SYNODIC_MONTH).floor() as i64;
    let mut off = i64::from(month) - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 && off >= leap_offset(a11) {
        // A leap month came before this one in the year.
        off += 1;
    }
    from_julian_day(new_moon_day(k + off) + i64::from(day) - 1)
}

/// Mùng 1 Tết (lunar 1/1) of the lunar year beginning in Gregorian `year`.
pub fn tet(year: i32) -> Option<NaiveDate> {
    to_solar(1, 1, year)
}

/// Giỗ Tổ Hùng Vương (lunar 10/3) in Gregorian `year`.
pub fn gio_to(year: i32) -> Option<NaiveDate> {
    to_solar(10, 3, year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn julian_days_round_trip() {
        assert_eq!(julian_day(date(2000, 1, 1)), 2_451_545);
        assert_eq!(from_julian_day(2_451_545), Some(date(2000, 1, 1)));
    }

    #[test]
    fn tet_matches_the_published_dates() {
        // Published Vietnamese calendars (lịch vạn niên).
        for (year, expected) in [
            (2007, date(2007, 2, 17)),
            (2017, date(2017, 1, 28)),
            (2018, date(2018, 2, 16)),
            (2019, date(2019, 2, 5)),
            (2021, date(2021, 2, 12)),
            (2022, date(2022, 2, 1)),
            (2020, date(2020, 1, 25)),
            (2023, date(2023, 1, 22)),
            (2024, date(2024, 2, 10)),
            (2025, date(2025, 1, 29)),
            (2026, date(2026, 2, 17)),
            (2027, date(2027, 2, 6)),
            (2028, date(2028, 1, 26)),
            (2029, date(2029, 2, 13)),
            // China's is 3 February: the new moon falls just before midnight in UTC+7.
            (2030, date(2030, 2, 2)),
        ] {
            assert_eq!(tet(year), Some(expected), "Tết {year}");
        }
    }

    #[test]
    fn gio_to_matches_the_published_holidays() {
        // The public holiday of each year (Labour Code, Art. 112).
        for (year, expected) in [
            (2017, date(2017, 4, 6)),
            (2018, date(2018, 4, 25)),
            (2019, date(2019, 4, 14)),
            (2021, date(2021, 4, 21)),
            (2022, date(2022, 4, 10)),
            (2023, date(2023, 4, 29)),
            (2024, date(2024, 4, 18)),
            (2025, date(2025, 4, 7)),
            (2026, date(2026, 4, 26)),
        ] {
            assert_eq!(gio_to(year), Some(expected), "Giỗ Tổ {year}");
        }
        // Later years: a lunar 10/3 is 69 to 70 days after its new year, save for a
        // leap month (2028 has a leap 5th month, after it).
        for year in 2027..=2030 {
            let (tet, gio) = (tet(year).expect("Tết"), gio_to(year).expect("Giỗ Tổ"));
            let days = (gio - tet).num_days();
            assert!((67..=70).contains(&days), "{year}: {tet} → {gio}");
        }
    }

    #[test]
    fn nonsense_is_refused() {
        assert_eq!(to_solar(0, 1, 2026), None);
        assert_eq!(to_solar(1, 13, 2026), None);
    }
}
