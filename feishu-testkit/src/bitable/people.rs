//! The people that appear in Bitable cells (owners, creators, mentions).

use serde_json::{Value, json};

use crate::rng::mix;

/// The people, as (name, English name).
pub(super) const USERS: [(&str, &str); 6] = [
    ("Li Lei", "Lei Li"),
    ("Han Meimei", "Meimei Han"),
    ("Zhang Wei", "Wei Zhang"),
    ("Wang Fang", "Fang Wang"),
    ("Liu Yang", "Yang Liu"),
    ("Chen Jing", "Jing Chen"),
];

/// Which id names a person (`user_id_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdType {
    Open,
    Union,
    User,
}

/// The id of person `n`.
pub(super) fn user_id(n: usize, id_type: IdType) -> String {
    let h = mix(0x05E2 ^ n as u64);
    match id_type {
        IdType::Open => format!("ou_{h:016x}{:016x}", mix(h)),
        IdType::Union => format!("on_{h:016x}{:016x}", mix(h ^ 1)),
        IdType::User => format!("{:08x}", h & 0xFFFF_FFFF),
    }
}

/// Person `n` as a cell or automatic field shows them.
pub(super) fn person(n: usize, id_type: IdType) -> Value {
    let (name, en_name) = USERS[n % USERS.len()];
    json!({
        "id": user_id(n % USERS.len(), id_type),
        "name": name,
        "en_name": en_name,
        "email": format!("{}@testkit.example", en_name.to_lowercase().replace(' ', ".")),
    })
}
