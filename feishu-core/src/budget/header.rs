//! Reading Feishu's `x-ogw-ratelimit-limit` header.
//!
//! Feishu's frequency-control page
//! (<https://open.feishu.cn/document/ukTMukTMukTM/uUzN04SN3QjL1cDN>, mirrored in
//! riba2534/feishu-open-docs `api-call-guide/uUzN04SN3QjL1cDN.md`) shows it on rate-limited
//! replies as a bare integer next to the reset: `x-ogw-ratelimit-limit: 100` ("the upper limit
//! of the window period") and `x-ogw-ratelimit-reset: 52` (seconds until the limit recovers).
//! It does not say which window the figure belongs to (the example, 100 with a 52 s reset,
//! reads as a per-minute window), nor whether successful replies carry it. Third-party
//! clients read it as a plain number. So this reader is tolerant: a number (a fraction is
//! cut), optionally followed by a window, either as a parameter (`100;w=60`, the IETF
//! RateLimit-Policy style) or as a unit (`100/s`, `100/min`, `100/60s`); for a list, the first
//! item. Anything else is ignored (a figure misread would set a wrong allowance), as is 0 (a
//! window that allows nothing is not a limit).

use std::time::Duration;

use super::limit::Window;

/// What the header says: an allowance, and the window when it names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Advertised {
    pub(crate) allowance: u32,
    pub(crate) window: Option<Duration>,
}

/// Parses a header value; `None` when it is not a usable limit.
pub(crate) fn parse(value: &str) -> Option<Advertised> {
    let item = value.split(',').next()?.trim();
    let (number, rest) = split_number(item)?;
    let allowance = u32::try_from(number).ok().filter(|n| *n > 0)?;
    let rest = rest.trim_start();
    let window = if let Some(unit) = rest.strip_prefix('/') {
        Some(parse_unit(unit.trim())?)
    } else if let Some(params) = rest.strip_prefix(';') {
        params
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(name, _)| matches!(name.trim(), "w" | "window"))
            .and_then(|(_, secs)| secs.trim().trim_matches('"').parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
    } else if rest.is_empty() {
        None
    } else {
        return None;
    };
    Some(Advertised { allowance, window })
}

/// The leading integer (digits, an optional fraction that is cut) and what follows.
fn split_number(s: &str) -> Option<(u64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 10 {
        return None;
    }
    let number = s[..digits].parse().ok()?;
    let mut rest = &s[digits..];
    if let Some(fraction) = rest.strip_prefix('.') {
        rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    Some((number, rest))
}

/// `s`, `sec`, `second`, `m`, `min`, `minute`, `h`, `hour`, optionally after a count (`60s`).
fn parse_unit(unit: &str) -> Option<Duration> {
    let digits = unit.bytes().take_while(u8::is_ascii_digit).count();
    let count: u64 = if digits == 0 {
        1
    } else {
        unit[..digits].parse().ok().filter(|n| *n > 0)?
    };
    let seconds = match unit[digits..].trim() {
        "s" | "sec" | "second" | "seconds" => 1,
        "m" | "min" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        _ => return None,
    };
    Some(Duration::from_secs(count.checked_mul(seconds)?))
}

/// Which of the family's windows the figure belongs to: the one it names, else the one whose
/// allowance is closest in ratio (a business plan doubles "50/s" to 100, it does not turn it
/// into a minute's 1000), the shorter on a tie.
pub(crate) fn window_for(advertised: &Advertised, windows: &[Window]) -> Option<Duration> {
    if let Some(named) = advertised.window {
        return windows.iter().any(|w| w.length() == named).then_some(named);
    }
    let distance = |w: &Window| {
        (f64::from(w.allowance()) / f64::from(advertised.allowance))
            .ln()
            .abs()
    };
    windows
        .iter()
        .min_by(|a, b| distance(a).total_cmp(&distance(b)))
        .map(Window::length)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::RateLimit;

    fn adv(allowance: u32, window: Option<u64>) -> Option<Advertised> {
        Some(Advertised {
            allowance,
            window: window.map(Duration::from_secs),
        })
    }

    #[test]
    fn parses_tolerantly() {
        assert_eq!(parse("100"), adv(100, None));
        assert_eq!(parse(" 100 "), adv(100, None));
        assert_eq!(parse("100.0"), adv(100, None));
        assert_eq!(parse("50, 1000"), adv(50, None));
        assert_eq!(parse("100;w=60"), adv(100, Some(60)));
        assert_eq!(parse("100; w=\"1\"; burst=5"), adv(100, Some(1)));
        assert_eq!(parse("100/s"), adv(100, Some(1)));
        assert_eq!(parse("1000/min"), adv(1000, Some(60)));
        assert_eq!(parse("100 / 60s"), adv(100, Some(60)));
        for bad in [
            "",
            "0",
            "-5",
            "abc",
            "1e9",
            "100 requests",
            "99999999999",
            "100/fortnight",
            "100/0s",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn assigns_the_figure_to_a_window() {
        let windows: Vec<Window> = RateLimit::per_minute(1000)
            .and_per_second(50)
            .windows()
            .collect();
        let s = Some(Duration::from_secs(1));
        let m = Some(Duration::from_secs(60));
        assert_eq!(window_for(&parse("100").unwrap(), &windows), s);
        assert_eq!(window_for(&parse("1000").unwrap(), &windows), m);
        assert_eq!(window_for(&parse("500").unwrap(), &windows), m);
        assert_eq!(window_for(&parse("20;w=60").unwrap(), &windows), m);
        assert_eq!(window_for(&parse("20;w=10").unwrap(), &windows), None);
        assert_eq!(window_for(&parse("20").unwrap(), &[]), None);
    }
}
