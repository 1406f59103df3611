//! govaluate's `tryParseTime`: a quoted string that reads as a date in one
//! of its layouts is a time, compared as seconds since the epoch. The
//! layouts here are the numeric ones (`2006-01-02`, `2006-01-02 15:04`,
//! `2006-01-02 15:04:05`, with an offset, RFC 3339, ISO 8601 with `Z0700`,
//! and `3:04PM`); the named-month layouts (ANSIC, UnixDate, RubyDate) are
//! not recognised. Times without an offset are read in UTC (govaluate reads
//! them in the controller's local zone, UTC in Argo's image).

use std::sync::OnceLock;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;

fn layouts() -> &'static Regex {
    static LAYOUT: OnceLock<Regex> = OnceLock::new();
    LAYOUT.get_or_init(|| {
        Regex::new(concat!(
            r"^(?P<date>\d{4}-\d{2}-\d{2})",
            r"(?:(?P<sep>[T ])(?P<h>\d{2})(?::(?P<m>\d{2})(?::(?P<s>\d{2})(?P<frac>\.\d+)?)?)?",
            r"(?P<zone>Z|[+-]\d{2}:?\d{2})?)?$"
        ))
        .expect("valid layout pattern")
    })
}

fn kitchen() -> &'static Regex {
    static KITCHEN: OnceLock<Regex> = OnceLock::new();
    KITCHEN.get_or_init(|| Regex::new(r"^(\d{1,2}):(\d{2})(AM|PM)$").expect("valid pattern"))
}

/// Seconds since the epoch, when `text` is a time in one of the layouts.
pub(crate) fn parse_time(text: &str) -> Option<f64> {
    if let Some(caps) = kitchen().captures(text) {
        let hour: u32 = caps[1].parse().ok()?;
        let minute: u32 = caps[2].parse().ok()?;
        if !(1..=12).contains(&hour) || minute > 59 {
            return None;
        }
        let hour = hour % 12 + if &caps[3] == "PM" { 12 } else { 0 };
        let time = NaiveDate::from_ymd_opt(0, 1, 1)?.and_hms_opt(hour, minute, 0)?;
        return Some(time.and_utc().timestamp() as f64);
    }
    let caps = layouts().captures(text)?;
    let date = NaiveDate::parse_from_str(&caps["date"], "%Y-%m-%d").ok()?;
    let Some(separator) = caps.name("sep") else {
        return Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp() as f64);
    };
    let field = |name: &str| -> Option<u32> { caps.name(name).map_or(Some(0), |m| m.as_str().parse().ok()) };
    let (hour, minute, second) = (field("h")?, field("m")?, field("s")?);
    let zone = caps.name("zone").map(|m| m.as_str());
    let has_minutes = caps.name("m").is_some();
    let has_seconds = caps.name("s").is_some();
    // Which layouts exist: a space needs minutes and no `Z`; `T` needs a zone.
    match (separator.as_str(), zone) {
        (" ", Some("Z")) => return None,
        (" ", Some(z)) if !(has_seconds && z.contains(':')) => return None,
        (" ", _) if !has_minutes || caps.name("frac").is_some() => return None,
        ("T", None) => return None,
        ("T", Some(z)) if z != "Z" && z.contains(':') && !has_seconds => return None,
        _ => {}
    }
    let nanos = caps.name("frac").map_or(0, |m| {
        let digits = &m.as_str()[1..];
        let padded = format!("{digits:0<9}");
        padded[..9].parse().unwrap_or(0)
    });
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let local = NaiveDateTime::new(date, time);
    let offset_seconds = match zone {
        None | Some("Z") => 0,
        Some(z) => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let digits: String = z[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let hours: i32 = digits[..2].parse().ok()?;
            let minutes: i32 = digits[2..].parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let offset = FixedOffset::east_opt(offset_seconds)?;
    let instant = offset.from_local_datetime(&local).single()?;
    Some(instant.timestamp() as f64)
}
