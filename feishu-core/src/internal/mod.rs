//! Plumbing shared by the module crates of the feishu-rs workspace.
//!
//! **Not part of the public API.** Anything here may change or disappear in any release,
//! whatever its version number says; semver does not cover it. Application code should not
//! use it: every capability it serves is reachable through the module crates.

use futures::stream::{Stream, StreamExt};

pub mod de;

pub use crate::page::{PageFetch, WirePage, flatten, pages};
pub use crate::page_request::PageRequest;
pub use crate::time_range::{from_unix_ms, unix_ms};
pub use crate::{__id_type as id_type, __wire_enum as wire_enum};

use crate::error::{Error, Result};

/// Adds `note` to an error: kept in an API error (its code and kind unchanged), appended to
/// the message of any other kind as a [`Error::Config`].
pub fn annotate(error: Error, note: &str) -> Error {
    match error {
        Error::Api(mut api) => {
            api.set_note(note.to_string());
            Error::Api(api)
        }
        other => Error::Config(format!("{other}; {note}")),
    }
}

/// Ends a stream after its first error (which is yielded).
pub fn stop_after_error<S, T>(stream: S) -> impl Stream<Item = Result<T>> + Send + 'static
where
    S: Stream<Item = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    stream.scan(false, |failed, item| {
        let out = if *failed {
            None
        } else {
            *failed = item.is_err();
            Some(item)
        };
        futures::future::ready(out)
    })
}

/// Checks a caller's `page_size` against Feishu's documented range `1..=max` before anything
/// is sent, so a bad value fails with a clear error instead of a server code.
pub fn check_page_size(page_size: Option<u32>, max: u32) -> Result<()> {
    match page_size {
        Some(n) if n == 0 || n > max => Err(Error::invalid_argument(
            "page_size",
            format!("{n} is out of range: Feishu accepts 1..={max}"),
        )),
        _ => Ok(()),
    }
}

/// Declares a string-backed wire enum that Feishu may extend.
///
/// Decoding never fails: a documented value matches exactly, or else ignoring ASCII case (some
/// endpoints send the lower-case form of a documented upper-case value); anything else, a
/// number or `null` included, is kept verbatim in `Unknown(String)` (`null` as `""`). Encoding
/// writes the documented spelling.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this SDK version does not know, kept as sent.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The wire name (the documented spelling; unknown values verbatim).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                $( if value == $wire { return $name::$variant; } )+
                $( if value.eq_ignore_ascii_case($wire) { return $name::$variant; } )+
                $name::Unknown(value)
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                $name::from(value.to_string())
            }
        }

        impl ::std::convert::From<$name> for ::std::string::String {
            fn from(value: $name) -> ::std::string::String {
                match value {
                    $name::Unknown(other) => other,
                    known => known.as_str().to_string(),
                }
            }
        }

        impl ::std::default::Default for $name {
            fn default() -> Self {
                $name::Unknown(::std::string::String::new())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                Ok($name::from($crate::internal::de::any_to_string(d)?))
            }
        }
    };
}

/// Declares an id newtype: a `String` that says which id it is, serde-transparent.
#[doc(hidden)]
#[macro_export]
macro_rules! __id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(::std::string::String);

        impl $name {
            /// Wraps an id as Feishu spells it.
            pub fn new(id: impl ::std::convert::Into<::std::string::String>) -> Self {
                $name(id.into())
            }

            /// The id as Feishu spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as a `String`.
            pub fn into_string(self) -> ::std::string::String {
                self.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(&self.0)
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(id: ::std::string::String) -> Self {
                $name(id)
            }
        }

        impl ::std::convert::From<&::std::string::String> for $name {
            fn from(id: &::std::string::String) -> Self {
                $name(id.clone())
            }
        }

        impl ::std::convert::From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl ::std::convert::From<$name> for ::std::string::String {
            fn from(id: $name) -> ::std::string::String {
                id.0
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl ::std::cmp::PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl ::std::cmp::PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::stream;

    crate::__wire_enum! {
        /// A test enum.
        pub enum Status {
            /// Pending.
            Pending => "PENDING",
            /// Done.
            Done => "DONE",
        }
    }

    crate::__id_type! {
        /// A test id.
        TestId
    }

    #[test]
    fn wire_enum_is_lenient_and_writes_the_documented_spelling() {
        let v: Vec<Status> = serde_json::from_str(r#"["PENDING","done","Later",null,7]"#).unwrap();
        assert_eq!(v[0], Status::Pending);
        assert_eq!(v[1], Status::Done);
        assert_eq!(v[2], Status::Unknown("Later".into()));
        assert_eq!(v[3], Status::Unknown(String::new()));
        assert_eq!(v[4], Status::Unknown("7".into()));
        assert_eq!(serde_json::to_string(&v[1]).unwrap(), r#""DONE""#);
        assert_eq!(serde_json::to_string(&v[2]).unwrap(), r#""Later""#);
    }

    #[test]
    fn id_type_is_transparent() {
        let id = TestId::from("rec_1");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""rec_1""#);
        assert_eq!(serde_json::from_str::<TestId>(r#""rec_1""#).unwrap(), id);
        assert_eq!(id.to_string(), "rec_1");
        assert_eq!(id, "rec_1");
    }

    #[test]
    fn stop_after_error_yields_the_error_then_ends() {
        let s = stream::iter(vec![Ok(1), Err(Error::Pagination("x".into())), Ok(3)]);
        let v: Vec<Result<i32>> = block_on(stop_after_error(s).collect());
        assert_eq!(v.len(), 2);
        assert!(v[1].is_err());
    }

    #[test]
    fn page_size_is_checked_and_named() {
        assert!(check_page_size(Some(500), 500).is_ok());
        assert!(check_page_size(None, 500).is_ok());
        let e = check_page_size(Some(0), 500).unwrap_err();
        assert!(e.to_string().contains("page_size"), "{e}");
    }
}
