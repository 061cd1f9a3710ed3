//! The ways the reply of a request the tenant applied gets lost, for tests of whether a write
//! is safe to send again.

use std::time::Duration;

use crate::faults::Fault;

/// How the reply of a request the tenant has applied is lost on its way to the client.
///
/// A write whose reply is lost may or may not have happened, as far as the client knows: the
/// three ways below reach the client as a timeout, a reset connection and a body that stops
/// early. [`LostReply::ResetBeforeReply`] and [`LostReply::CutMidBody`] need a tenant built
/// with [`connection_faults`](crate::FakeTenantBuilder::connection_faults).
/// [`each_lost_reply!`](crate::each_lost_reply) runs a test case once per way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LostReply {
    /// The reply comes only after this long: make it longer than the client's timeout.
    HeldPastTimeout(Duration),
    /// The connection is reset before the first byte of the reply.
    ResetBeforeReply,
    /// The reply's head and half its body arrive, then the connection closes.
    CutMidBody,
}

impl LostReply {
    /// Every way, the reply held for `held` in the first.
    pub fn all(held: Duration) -> [LostReply; 3] {
        [
            LostReply::HeldPastTimeout(held),
            LostReply::ResetBeforeReply,
            LostReply::CutMidBody,
        ]
    }

    /// The fault that loses the reply this way, for [`crate::FakeTenant::fail_next`].
    pub fn fault(self) -> Fault {
        match self {
            LostReply::HeldPastTimeout(held) => Fault::Delay(held),
            LostReply::ResetBeforeReply => Fault::ResetConnection,
            LostReply::CutMidBody => Fault::CutReplyBody,
        }
    }

    /// Whether the connection breaks (the client sees a transport error, not a timeout).
    pub fn breaks_connection(self) -> bool {
        !matches!(self, LostReply::HeldPastTimeout(_))
    }
}

/// One `#[tokio::test]` per case and [`LostReply`]: for each way, a module
/// (`reply_held_past_the_timeout`, `connection_reset_before_the_reply`, `reply_cut_mid_body`)
/// with a test of each case's name that calls `case(lost_reply)` of the invoking module.
///
/// `held_for` is how long the first way holds the reply (longer than the client's timeout);
/// it becomes the const `LOST_REPLY_HELD_FOR` of the invoking module, so invoke the macro once
/// per module. The invoking crate needs `tokio` with its `macros` feature.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use feishu_testkit::{FakeTenant, LostReply};
///
/// async fn a_create_sent_again_creates_one_record(lost: LostReply) {
///     let tenant = FakeTenant::builder().connection_faults().start().await;
///     tenant.fail_next(1, lost.fault());
///     // ... write through a client with a timeout shorter than 2 s, check one record ...
/// }
///
/// feishu_testkit::each_lost_reply! {
///     held_for: Duration::from_secs(2),
///     cases: [a_create_sent_again_creates_one_record],
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! each_lost_reply {
    (held_for: $held:expr, cases: [$($case:ident),+ $(,)?] $(,)?) => {
        const LOST_REPLY_HELD_FOR: ::std::time::Duration = $held;

        mod reply_held_past_the_timeout {
            $(
                #[::tokio::test]
                async fn $case() {
                    super::$case($crate::LostReply::HeldPastTimeout(super::LOST_REPLY_HELD_FOR))
                        .await;
                }
            )+
        }

        mod connection_reset_before_the_reply {
            $(
                #[::tokio::test]
                async fn $case() {
                    super::$case($crate::LostReply::ResetBeforeReply).await;
                }
            )+
        }

        mod reply_cut_mid_body {
            $(
                #[::tokio::test]
                async fn $case() {
                    super::$case($crate::LostReply::CutMidBody).await;
                }
            )+
        }
    };
}
