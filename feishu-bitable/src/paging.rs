//! Documented page-size maxima of the Bitable listings.

/// Largest `page_size` of list tables / views / fields (each list API page).
pub const MAX_META_PAGE_SIZE: u32 = 100;
/// Largest `page_size` of list and search records (each records API page).
pub const MAX_RECORD_PAGE_SIZE: u32 = 500;
