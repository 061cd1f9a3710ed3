//! [`Person`]: a person in a cell or in a record's automatic `created_by` /
//! `last_modified_by`, and the single-pass decoder of the latter.

use std::fmt;

use feishu_core::internal::de::{opt_string, string_or_empty};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A person (a person cell's entry, or a record's automatic `created_by` /
/// `last_modified_by`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Person {
    /// User id of the `user_id_type` the call asked for (`open_id` by default).
    #[serde(deserialize_with = "string_or_empty")]
    pub id: String,
    /// Name.
    #[serde(deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// English name.
    #[serde(deserialize_with = "opt_string")]
    pub en_name: Option<String>,
    /// Email (needs a contact scope to be filled).
    #[serde(deserialize_with = "opt_string")]
    pub email: Option<String>,
    /// Avatar URL (needs `contact:user.base:readonly`).
    #[serde(deserialize_with = "opt_string")]
    pub avatar_url: Option<String>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A person from an object with a string `id`.
fn person_of(raw: &Value) -> Option<Person> {
    raw.as_object()?.get("id")?.as_str()?;
    Person::deserialize(raw).ok()
}

/// Persons from an object (the historic list shape of created / modified by) or an array of
/// objects, each with a string `id`.
pub(super) fn persons_of(raw: &Value) -> Option<Vec<Person>> {
    match raw {
        Value::Object(_) => person_of(raw).map(|p| vec![p]),
        Value::Array(items) => items.iter().map(person_of).collect(),
        _ => None,
    }
}

/// Decodes the automatic `created_by` / `last_modified_by`: a person object, or (tolerated) an
/// array whose first element is one; anything else (scalars, `null`, an empty array, an array
/// whose first element is not an object) is `None`.
///
/// One pass over the input, no intermediate [`Value`] tree: this runs twice per record of every
/// scan with `automatic_fields`. The fields are decoded as leniently as [`Person`]'s own
/// `Deserialize` (a repeated key keeps the last value, as a JSON object would).
pub(crate) fn opt_person<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Person>, D::Error> {
    d.deserialize_any(OptPerson)
}

/// The visitor of [`opt_person`]; as a seed it decodes one array element the same way except
/// that a nested array is not looked into.
#[derive(Clone, Copy)]
struct OptPerson;

/// An array element: a person object, or `None` for anything else (skipped).
#[derive(Clone, Copy)]
struct ElementPerson;

impl<'de> DeserializeSeed<'de> for ElementPerson {
    type Value = Option<Person>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! none_for_scalars {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i128<E: de::Error>(self, _: i128) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u128<E: de::Error>(self, _: u128) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            person_from_map(map).map(Some)
        }
    };
}

impl<'de> Visitor<'de> for OptPerson {
    type Value = Option<Person>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a person object or an array of person objects")
    }

    none_for_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let first = seq.next_element_seed(ElementPerson)?.flatten();
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(first)
    }
}

impl<'de> Visitor<'de> for ElementPerson {
    type Value = Option<Person>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a person object")
    }

    none_for_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// A key of a person object; known keys are matched without allocating.
enum PersonKey {
    Id,
    Name,
    EnName,
    Email,
    AvatarUrl,
    Other(String),
}

impl<'de> Deserialize<'de> for PersonKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = PersonKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<PersonKey, E> {
                Ok(match key {
                    "id" => PersonKey::Id,
                    "name" => PersonKey::Name,
                    "en_name" => PersonKey::EnName,
                    "email" => PersonKey::Email,
                    "avatar_url" => PersonKey::AvatarUrl,
                    other => PersonKey::Other(other.to_string()),
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// A person from an object, with [`Person`]'s lenient field rules (`opt_string` /
/// `string_or_empty`; unknown keys into `extra`).
fn person_from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Person, A::Error> {
    fn lenient<E: de::Error>(v: Value) -> Result<Option<String>, E> {
        opt_string(v).map_err(E::custom)
    }
    let mut person = Person::default();
    while let Some(key) = map.next_key::<PersonKey>()? {
        match key {
            PersonKey::Id => {
                person.id = lenient(map.next_value()?)?.unwrap_or_default();
            }
            PersonKey::Name => person.name = lenient(map.next_value()?)?,
            PersonKey::EnName => person.en_name = lenient(map.next_value()?)?,
            PersonKey::Email => person.email = lenient(map.next_value()?)?,
            PersonKey::AvatarUrl => person.avatar_url = lenient(map.next_value()?)?,
            PersonKey::Other(key) => {
                person.extra.insert(key, map.next_value()?);
            }
        }
    }
    Ok(person)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "opt_person")]
        p: Option<Person>,
    }

    /// Through the streaming parser and through a `Value`, with the old two-pass decode as
    /// the reference.
    fn both(p: &str) -> Option<Person> {
        let text = format!(r#"{{"p":{p}}}"#);
        let streamed = serde_json::from_str::<Holder>(&text).unwrap().p;
        let v: Value = serde_json::from_str(&text).unwrap();
        let from_value = serde_json::from_value::<Holder>(v.clone()).unwrap().p;
        assert_eq!(streamed, from_value, "{p}");
        let reference = match &v["p"] {
            Value::Array(items) => items.first().and_then(from_value_ref),
            o @ Value::Object(_) => from_value_ref(o),
            _ => None,
        };
        assert_eq!(streamed, reference, "{p}");
        streamed
    }

    fn from_value_ref(v: &Value) -> Option<Person> {
        Person::deserialize(v).ok()
    }

    #[test]
    fn opt_person_accepts_an_object_or_an_array_and_nothing_else() {
        let full =
            r#"{"id":"ou_1","name":"Li","en_name":"Lei","email":"a@b","avatar_url":"u","x":[1]}"#;
        let p = both(full).unwrap();
        assert_eq!(p.id, "ou_1");
        assert_eq!(p.name.as_deref(), Some("Li"));
        assert_eq!(p.en_name.as_deref(), Some("Lei"));
        assert_eq!(p.email.as_deref(), Some("a@b"));
        assert_eq!(p.avatar_url.as_deref(), Some("u"));
        assert_eq!(p.extra["x"], json!([1]));
        assert_eq!(
            both(&format!("[{full}, 7, {{\"id\":\"ou_2\"}}]"))
                .unwrap()
                .id,
            "ou_1"
        );
        // Lenient field types, as `Person`'s derive: numbers become text, null is absent.
        let p = both(r#"{"id":12,"name":null,"email":true,"en_name":1.5,"avatar_url":{"a":[1]}}"#)
            .unwrap();
        assert_eq!(
            (p.id.as_str(), p.name, p.email.as_deref()),
            ("12", None, Some("true"))
        );
        assert_eq!(p.en_name.as_deref(), Some("1.5"));
        assert_eq!(p.avatar_url.as_deref(), Some(r#"{"a":[1]}"#));
        for id in [
            "-7",
            "18446744073709551615",
            "1e3",
            "-0.0",
            "[1,\"x\"]",
            "\"\\u00e9\"",
        ] {
            both(&format!(r#"{{"id":{id}}}"#)).unwrap();
        }
        assert_eq!(both("{}"), Some(Person::default()));
        for other in [
            "null",
            "true",
            "3",
            "-1.5",
            r#""ou_1""#,
            "[]",
            "[null]",
            r#"["ou_1"]"#,
            "[[{\"id\":\"a\"}]]",
            r#"[7, {"id":"ou_2"}]"#,
        ] {
            assert_eq!(both(other), None, "{other}");
        }
        // A missing key is `None` too.
        let h: Holder = serde_json::from_str("{}").unwrap();
        assert!(h.p.is_none());
    }

    #[test]
    fn opt_person_repeated_keys_keep_the_last_value() {
        let h: Holder = serde_json::from_str(r#"{"p":{"id":"a","id":"b","k":1,"k":2}}"#).unwrap();
        let p = h.p.unwrap();
        assert_eq!(p.id, "b");
        assert_eq!(p.extra["k"], json!(2));
    }

    #[test]
    fn opt_person_rejects_only_broken_json() {
        assert!(serde_json::from_str::<Holder>(r#"{"p":{"id":"a",}}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"p":[{"id":"a"}"#).is_err());
    }
}
