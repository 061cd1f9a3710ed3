//! [`Location`]: a location cell.

use feishu_core::internal::de::opt_string;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A location cell.
///
/// # Example
/// ```
/// use feishu_bitable::Location;
/// let place: Location = serde_json::from_value(serde_json::json!({
///     "location": "116.397755,39.903179", "name": "Tiananmen Square"
/// }))?;
/// assert_eq!(place.coordinates(), Some((116.397755, 39.903179)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct Location {
    /// `"lng,lat"`.
    #[serde(deserialize_with = "opt_string")]
    pub location: Option<String>,
    /// Province.
    #[serde(deserialize_with = "opt_string")]
    pub pname: Option<String>,
    /// City.
    #[serde(deserialize_with = "opt_string")]
    pub cityname: Option<String>,
    /// District.
    #[serde(deserialize_with = "opt_string")]
    pub adname: Option<String>,
    /// Street address.
    #[serde(deserialize_with = "opt_string")]
    pub address: Option<String>,
    /// Place name.
    #[serde(deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Full address.
    #[serde(deserialize_with = "opt_string")]
    pub full_address: Option<String>,
    /// Keys this SDK version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Location {
    /// Longitude and latitude parsed from [`Location::location`].
    pub fn coordinates(&self) -> Option<(f64, f64)> {
        let (lng, lat) = self.location.as_deref()?.split_once(',')?;
        Some((lng.trim().parse().ok()?, lat.trim().parse().ok()?))
    }
}
