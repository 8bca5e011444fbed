//! The two date formats of the wire: `Expires=` (IMF-fixdate, `Fri, 25 Dec 2026 22:28:31 GMT`)
//! and the session's `expires` (JavaScript's `toISOString()`, `2026-12-25T22:28:31.123Z`).
//!
//! Written by hand rather than with `time`'s format descriptions because both run on every
//! session read, where the generic formatter showed up in profiles.

use time::{OffsetDateTime, UtcOffset};

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Fri, 25 Dec 2026 22:28:31 GMT`.
pub fn http_date(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let mut out = String::with_capacity(29);
    out.push_str(DAYS[usize::from(at.weekday().number_days_from_monday())]);
    out.push_str(", ");
    push_digits(&mut out, u32::from(at.day()), 2);
    out.push(' ');
    out.push_str(MONTHS[usize::from(u8::from(at.month()) - 1)]);
    out.push(' ');
    push_year(&mut out, at.year());
    out.push(' ');
    push_time(&mut out, at);
    out.push_str(" GMT");
    out
}

/// `2026-12-25T22:28:31.123Z`.
pub fn iso_millis(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let mut out = String::with_capacity(24);
    push_year(&mut out, at.year());
    out.push('-');
    push_digits(&mut out, u32::from(u8::from(at.month())), 2);
    out.push('-');
    push_digits(&mut out, u32::from(at.day()), 2);
    out.push('T');
    push_time(&mut out, at);
    out.push('.');
    push_digits(&mut out, u32::from(at.millisecond()), 3);
    out.push('Z');
    out
}

fn push_time(out: &mut String, at: OffsetDateTime) {
    push_digits(out, u32::from(at.hour()), 2);
    out.push(':');
    push_digits(out, u32::from(at.minute()), 2);
    out.push(':');
    push_digits(out, u32::from(at.second()), 2);
}

fn push_year(out: &mut String, year: i32) {
    // Years outside 0..=9999 never reach a cookie; clamp rather than misformat.
    push_digits(out, year.clamp(0, 9999).unsigned_abs(), 4);
}

fn push_digits(out: &mut String, value: u32, width: u32) {
    for position in (0..width).rev() {
        let digit = (value / 10u32.pow(position)) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, format_description};

    #[test]
    fn matches_the_reference_formats() {
        let http = format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        let iso = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        let mut at = datetime!(1999-12-31 23:59:59.999 UTC);
        for _ in 0..2000 {
            assert_eq!(http_date(at), at.format(http).unwrap());
            assert_eq!(iso_millis(at), at.format(iso).unwrap());
            at += time::Duration::seconds(86_400 * 7 + 3_661) + time::Duration::milliseconds(7);
        }
        assert_eq!(
            http_date(datetime!(2026-12-25 22:28:31 UTC)),
            "Fri, 25 Dec 2026 22:28:31 GMT"
        );
        assert_eq!(
            iso_millis(datetime!(2026-11-25 23:28:31.123456 +01:00)),
            "2026-11-25T22:28:31.123Z"
        );
    }
}
