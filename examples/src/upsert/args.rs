//! The command line of `bitable_upsert` (fixed: other tools drive it).

use std::ffi::OsString;
use std::path::PathBuf;

/// Usage text.
pub const USAGE: &str = "\
bitable_upsert: upsert a CSV file into a Bitable table by a key column

USAGE:
    bitable_upsert [--base-url URL] --app-token APP --table-id TBL --key FIELD [--quiet] FILE.csv

The CSV header names the fields (they must exist in the table). Credentials come from
FEISHU_APP_ID / FEISHU_APP_SECRET; without them the rows go into a new table of the in-process
fake tenant. Cells are typed by the table's field types: numbers, dates (Unix ms, RFC 3339 or
YYYY-MM-DD), checkboxes (true/false/1/0/yes/no), select option names, person / link / group
chat ids and attachment tokens (comma separated), a URL's link, a location's \"lng,lat\"; empty
cells are left as they are. Progress goes to stderr; the last line of stdout is
{\"created\":N,\"updated\":N,\"failed\":N}. Exit status: 0 all rows written, 1 some row failed,
2 the run could not start.";

/// Parsed arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    /// `--base-url`: the Open Platform's base URL (default `https://open.feishu.cn`).
    pub base_url: Option<String>,
    /// `--app-token`.
    pub app_token: String,
    /// `--table-id`.
    pub table_id: String,
    /// `--key`: the key column (and field).
    pub key: String,
    /// `--quiet`: no progress bar.
    pub quiet: bool,
    /// The CSV file.
    pub file: PathBuf,
}

/// Parses the arguments (without the program name); `Ok(None)` asks for the usage.
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Args>, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let (mut base_url, mut app, mut table, mut key, mut file) = (None, None, None, None, None);
    let mut quiet = false;
    let text = |p: &mut lexopt::Parser| -> Result<String, String> {
        p.value()
            .map_err(|e| e.to_string())?
            .into_string()
            .map_err(|_| "arguments must be UTF-8".to_string())
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("base-url") => base_url = Some(text(&mut parser)?),
            Long("app-token") => app = Some(text(&mut parser)?),
            Long("table-id") => table = Some(text(&mut parser)?),
            Long("key") => key = Some(text(&mut parser)?),
            Long("quiet") => quiet = true,
            Long("help") | Short('h') => return Ok(None),
            Value(v) if file.is_none() => file = Some(PathBuf::from(v)),
            other => return Err(other.unexpected().to_string()),
        }
    }
    let need = |v: Option<String>, flag: &str| {
        v.filter(|s| !s.is_empty())
            .ok_or_else(|| format!("{flag} is required"))
    };
    Ok(Some(Args {
        base_url,
        app_token: need(app, "--app-token")?,
        table_id: need(table, "--table-id")?,
        key: need(key, "--key")?,
        quiet,
        file: file.ok_or("the CSV file is required")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args(args.iter().map(OsString::from))
    }

    #[test]
    fn the_fixed_interface() {
        let a = parse(&[
            "--base-url",
            "http://127.0.0.1:1",
            "--app-token",
            "bascnA",
            "--table-id",
            "tblB",
            "--key",
            "Order",
            "rows.csv",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(a.base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(
            (a.app_token.as_str(), a.table_id.as_str(), a.key.as_str()),
            ("bascnA", "tblB", "Order")
        );
        assert_eq!(a.file, PathBuf::from("rows.csv"));
        assert!(
            parse(&["--app-token", "a", "--table-id", "t", "rows.csv"]).is_err(),
            "no key"
        );
        assert!(
            parse(&["--app-token", "a", "--table-id", "t", "--key", "k"]).is_err(),
            "no file"
        );
        assert!(
            parse(&[
                "--app-token",
                "a",
                "--table-id",
                "t",
                "--key",
                "k",
                "a.csv",
                "b.csv"
            ])
            .is_err()
        );
        assert_eq!(parse(&["--help"]), Ok(None));
    }
}
