//! Reads email addresses (or mobile numbers) on stdin, one per line, and prints each with its
//! user id on stdout (`-` when not found), in input order. Lookups go 50 emails and 50
//! numbers per call through a caching resolver, so repeated lines cost nothing.
//!
//! ```text
//! cut -d, -f3 staff.csv | cargo run -p feishu-examples --bin contact_resolve -- --id-type user_id
//! ```
//!
//! Options: `--id-type open_id|union_id|user_id` (default `open_id`), `--include-resigned`.
//! A line of digits (an optional leading `+`, spaces and dashes allowed) is a mobile number;
//! blank lines and lines starting with `#` are skipped. With `FEISHU_APP_ID` and
//! `FEISHU_APP_SECRET` set it talks to Feishu (`FEISHU_BASE_URL` overrides the host); without
//! them it starts the in-process fake tenant, and when stdin is a terminal it resolves a few
//! of the fake tenant's addresses.

use std::io::{BufRead, IsTerminal, Write};

use feishu_contact::{Contact, ContactPoint, UserIdentifier};
use feishu_core::{OpenId, UnionId, UserId};

#[derive(Debug, Default)]
struct Args {
    id_type: Option<String>,
    include_resigned: bool,
}

fn parse_args() -> Result<Args, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut args = Args::default();
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("id-type") => {
                let value = parser.value().map_err(|e| e.to_string())?;
                args.id_type = Some(value.into_string().map_err(|_| "--id-type must be UTF-8")?);
            }
            Long("include-resigned") => args.include_resigned = true,
            other => return Err(other.unexpected().to_string()),
        }
    }
    Ok(args)
}

/// A line as an email address or a mobile number; `None` for a blank or comment line.
fn contact_point(line: &str) -> Option<ContactPoint> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let phone = line
        .trim_start_matches('+')
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    Some(if phone {
        ContactPoint::mobile(line)
    } else {
        ContactPoint::email(line)
    })
}

async fn resolve<I>(
    contact: &Contact,
    points: Vec<ContactPoint>,
    include_resigned: bool,
) -> feishu_core::Result<()>
where
    I: UserIdentifier + From<String> + std::fmt::Display,
{
    let resolver = contact
        .user_id_resolver::<I>()
        .include_resigned(include_resigned)
        .build();
    let found = resolver.resolve(points).await?;
    let mut out = std::io::stdout().lock();
    let mut missing = 0;
    for lookup in &found {
        let id = lookup
            .user_id
            .as_ref()
            .map_or_else(|| "-".to_string(), ToString::to_string);
        missing += usize::from(!lookup.is_found());
        // A closed pipe (`| head`) ends the output quietly.
        if writeln!(out, "{}\t{id}", lookup.query).is_err() {
            break;
        }
    }
    eprintln!(
        "{} lines, {} not found, {} lookup call(s), {} distinct",
        found.len(),
        missing,
        resolver.lookup_calls(),
        resolver.len()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let id_type = args.id_type.as_deref().unwrap_or("open_id");
    if !matches!(id_type, "open_id" | "union_id" | "user_id") {
        return Err(format!("--id-type {id_type:?}: expected open_id, union_id or user_id").into());
    }
    let (client, tenant) = feishu_examples::demo::client_from_env().await?;
    let stdin = std::io::stdin();
    let points: Vec<ContactPoint> = match &tenant {
        Some(tenant) if stdin.is_terminal() => {
            eprintln!("stdin is a terminal: resolving a few of the fake tenant's addresses");
            let knobs = tenant.contact();
            let ids = knobs.user_ids("user_id");
            let mut sample: Vec<ContactPoint> = ids
                .iter()
                .take(3)
                .filter_map(|id| knobs.email_of(id))
                .map(ContactPoint::email)
                .collect();
            sample.push(ContactPoint::email("nobody@example.com"));
            sample.extend(knobs.mobile_of(&ids[3]).map(ContactPoint::mobile));
            sample
        }
        _ => stdin
            .lock()
            .lines()
            .collect::<Result<Vec<_>, _>>()?
            .iter()
            .filter_map(|line| contact_point(line))
            .collect(),
    };
    let contact = Contact::new(client);
    match args.id_type.as_deref().unwrap_or("open_id") {
        "open_id" => resolve::<OpenId>(&contact, points, args.include_resigned).await?,
        "union_id" => resolve::<UnionId>(&contact, points, args.include_resigned).await?,
        "user_id" => resolve::<UserId>(&contact, points, args.include_resigned).await?,
        other => {
            return Err(
                format!("--id-type {other:?}: expected open_id, union_id or user_id").into(),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_emails_or_mobiles() {
        assert_eq!(
            contact_point(" a@b.com "),
            Some(ContactPoint::email("a@b.com"))
        );
        assert_eq!(
            contact_point("+86 130-1111-1111"),
            Some(ContactPoint::mobile("13011111111"))
        );
        assert_eq!(contact_point("# header"), None);
        assert_eq!(contact_point("   "), None);
    }
}
