use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::executor::block_on;
use futures::stream::StreamExt;
use proptest::prelude::*;

use super::*;

fn numbered(n: u32) -> impl Stream<Item = Result<Page<u32>>> {
    pages(None, move |t: Option<String>| async move {
        let i: u32 = t.map_or(0, |t| t.parse().unwrap_or(0));
        Ok(Page::new(vec![i], i + 1 < n, Some((i + 1).to_string())))
    })
}

#[test]
fn stops_on_has_more_false() {
    let v: Vec<_> = block_on(numbered(3).try_collect::<Vec<_>>()).unwrap();
    assert_eq!(v.len(), 3);
}

#[test]
fn ends_after_error() {
    let s = flatten(pages(None, |t: Option<String>| async move {
        match t.as_deref() {
            None => Ok(Page::new(vec![1], true, Some("a".into()))),
            Some("a") => Err(Error::Pagination("boom".into())),
            _ => Ok(Page::new(vec![9], false, None)),
        }
    }));
    let v: Vec<Result<u32>> = block_on(s.collect());
    assert_eq!(v.len(), 2);
    assert_eq!(*v[0].as_ref().unwrap(), 1);
    assert!(v[1].is_err());
}

#[test]
fn endless_empty_pages_with_fresh_tokens_end_with_an_error() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let s = pages(None, move |_t: Option<String>| {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        async move {
            Ok(Page::<u32>::new(
                Vec::new(),
                true,
                Some(format!("fresh-{n}")),
            ))
        }
    });
    let v: Vec<Result<Page<u32>>> = block_on(s.collect());
    let last = v.last().unwrap();
    assert!(
        matches!(last, Err(Error::Pagination(m)) if m.contains("empty pages")),
        "{last:?}"
    );
    assert_eq!(calls.load(Ordering::Relaxed), MAX_EMPTY_PAGES);
}

#[test]
fn a_repeated_token_is_an_error_after_its_page() {
    let s = flatten(pages(None, |t: Option<String>| async move {
        Ok(Page::new(
            vec![t.is_some() as u32],
            true,
            Some("same".into()),
        ))
    }));
    let v: Vec<Result<u32>> = block_on(s.collect());
    assert_eq!(v.len(), 3, "{v:?}");
    assert!(v[2].is_err());
}

/// What a random server does on each page.
#[derive(Debug, Clone)]
struct Step {
    items: u8,
    has_more: bool,
    token: TokenKind,
}

#[derive(Debug, Clone)]
enum TokenKind {
    Fresh,
    Empty,
    Absent,
    Repeat(u8),
}

fn step() -> impl Strategy<Value = Step> {
    let token = prop_oneof![
        6 => Just(TokenKind::Fresh),
        1 => Just(TokenKind::Empty),
        1 => Just(TokenKind::Absent),
        1 => (0u8..8).prop_map(TokenKind::Repeat),
    ];
    (0u8..4, any::<bool>(), token).prop_map(|(items, has_more, token)| Step {
        items,
        has_more,
        token,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the server does, a listing terminates, and either yields every item the
    /// server sent up to the point it ended, or ends with an error.
    #[test]
    fn random_servers_always_terminate(script in proptest::collection::vec(step(), 1..64), cycle in any::<bool>()) {
        let script = Arc::new(script);
        let sent = Arc::new(AtomicUsize::new(0));
        let (s2, sent2) = (script.clone(), sent.clone());
        let len = script.len();
        let stream = flatten(pages(None, move |_t: Option<String>| {
            let call = sent2.fetch_add(1, Ordering::Relaxed);
            // Past the script: either loop over it forever (a hostile server) or end.
            let step = if call < s2.len() || cycle { Some(s2[call % s2.len()].clone()) } else { None };
            async move {
                let Some(step) = step else { return Ok(Page::new(Vec::new(), false, None)) };
                let token = match step.token {
                    // Token names repeat when the server cycles, as a looping server's would.
                    TokenKind::Fresh => Some(format!("t{}", call % len)),
                    TokenKind::Empty => Some(String::new()),
                    TokenKind::Absent => None,
                    TokenKind::Repeat(k) => Some(format!("t{}", call.saturating_sub(k as usize + 1) % len)),
                };
                Ok(Page::new(vec![call; step.items as usize], step.has_more, token))
            }
        }));
        let out: Vec<Result<usize>> = block_on(stream.collect());
        let calls = sent.load(Ordering::Relaxed);
        // Each distinct token is followed at most once, so a cycling server is caught within
        // one more turn of its script.
        prop_assert!(calls <= 2 * len + 1, "{} calls for a script of {}", calls, len);
        let items = out.iter().filter(|r| r.is_ok()).count();
        let errors = out.iter().filter(|r| r.is_err()).count();
        prop_assert!(errors <= 1);
        if errors == 1 {
            prop_assert!(out.last().unwrap().is_err());
        }
        // Every item of every page that was fetched is yielded.
        let expected: usize = (0..calls).map(|c| {
            if c < script.len() || cycle { script[c % script.len()].items as usize } else { 0 }
        }).sum();
        prop_assert_eq!(items, expected);
    }
}
