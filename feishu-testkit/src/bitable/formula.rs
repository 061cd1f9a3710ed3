//! The list endpoint's `filter` formula (the subset the module docs describe), parsed into a
//! [`Pred`].

use super::filter::Pred;

/// Parses a list `filter` formula (the subset described in the module docs).
pub(super) fn formula_filter(text: &str, names: &[&str]) -> Result<Pred, String> {
    struct P<'a> {
        s: &'a [u8],
        i: usize,
        names: &'a [&'a str],
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
                self.i += 1;
            }
        }
        fn eat(&mut self, t: &str) -> bool {
            self.ws();
            if self.s[self.i..].starts_with(t.as_bytes()) {
                self.i += t.len();
                true
            } else {
                false
            }
        }
        fn expr(&mut self) -> Result<Pred, String> {
            for (f, kind) in [("AND(", 0), ("OR(", 1), ("NOT(", 2)] {
                if self.eat(f) {
                    let mut args = vec![self.expr()?];
                    while self.eat(",") {
                        args.push(self.expr()?);
                    }
                    if !self.eat(")") {
                        return Err("missing ')'".into());
                    }
                    return Ok(match kind {
                        0 => Pred::All(args),
                        1 => Pred::Any(args),
                        _ if args.len() == 1 => Pred::Not(Box::new(args.remove(0))),
                        _ => return Err("NOT takes one argument".into()),
                    });
                }
            }
            if !self.eat("CurrentValue.[") {
                return Err(format!("unexpected input at {}", self.i));
            }
            let start = self.i;
            while self.s.get(self.i).is_some_and(|c| *c != b']') {
                self.i += 1;
            }
            let field = std::str::from_utf8(&self.s[start..self.i])
                .map_err(|e| e.to_string())?
                .to_string();
            if !self.eat("]") {
                return Err("missing ']'".into());
            }
            if !self.names.contains(&field.as_str()) {
                return Err(format!("field {field:?} not found"));
            }
            let op = ["!=", ">=", "<=", "=", ">", "<"]
                .into_iter()
                .find(|op| self.eat(op))
                .ok_or("missing comparison operator")?;
            self.ws();
            let literal = if self.eat("\"") {
                let start = self.i;
                while self.s.get(self.i).is_some_and(|c| *c != b'"') {
                    self.i += 1;
                }
                let lit = std::str::from_utf8(&self.s[start..self.i])
                    .map_err(|e| e.to_string())?
                    .to_string();
                if !self.eat("\"") {
                    return Err("unterminated string".into());
                }
                lit
            } else if self.eat("TRUE()") || self.eat("TRUE") {
                "true".into()
            } else if self.eat("FALSE()") || self.eat("FALSE") {
                "false".into()
            } else {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'.' || *c == b'-')
                {
                    self.i += 1;
                }
                let lit = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
                lit.parse::<f64>()
                    .map_err(|_| format!("bad literal at {start}"))?;
                lit.to_string()
            };
            let cond = |op: &str| Pred::Op {
                field: field.clone(),
                op: op.into(),
                values: vec![literal.clone()],
            };
            Ok(match op {
                "=" => cond("is"),
                "!=" => cond("isNot"),
                ">" => cond("isGreater"),
                ">=" => cond("isGreaterEqual"),
                "<" => cond("isLess"),
                _ => cond("isLessEqual"),
            })
        }
    }
    if text.chars().count() > 2000 {
        return Err("filter longer than 2000 characters".into());
    }
    let mut p = P {
        s: text.as_bytes(),
        i: 0,
        names,
    };
    let pred = p.expr()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("trailing input at {}", p.i));
    }
    Ok(pred)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_filter_parses_the_subset() {
        let names = ["Amount", "Status", "Done"];
        let p = formula_filter(
            r#"AND(CurrentValue.[Amount]>100, OR(CurrentValue.[Status]="Open", NOT(CurrentValue.[Done]=TRUE)))"#,
            &names,
        );
        assert!(p.is_ok(), "{p:?}");
        assert!(formula_filter("CurrentValue.[Nope]=1", &names).is_err());
        assert!(formula_filter("AND(CurrentValue.[Amount]>1", &names).is_err());
    }
}
