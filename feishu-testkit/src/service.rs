//! What a fake service is to the router: something that answers the requests of its paths.
//!
//! Each Open Platform module of the fake tenant (Approval, Bitable, Contact, Attendance, and
//! the testkit's own diagnostics) is one service owning its data behind its own lock. The
//! router asks the services in turn; the first one that recognises the path answers.

use std::fmt::Debug;

use crate::reply::Reply;
use crate::request::RequestView;

/// One fake service of the tenant.
pub(crate) trait FakeService: Debug + Send + Sync {
    /// Answers `req` when its path is one of this service's, `None` otherwise (the router then
    /// asks the next service, and answers 404 when none knows the path).
    fn handle(&self, req: &RequestView) -> Option<Reply>;
}

/// Runs `f` when the request has `method`, otherwise answers 99991301: the path is known, the
/// method is not.
pub(crate) fn only(req: &RequestView, method: &str, f: impl FnOnce() -> Reply) -> Reply {
    if req.method == method {
        f()
    } else {
        Reply::method_not_allowed(req)
    }
}
