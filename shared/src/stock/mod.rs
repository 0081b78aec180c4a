//! Dealers' stock: what the stock use cases and the stock sync share, kept
//! free of I/O. The manual CSV parser, the folding of text for matching,
//! and the index that matches incoming vehicles to the stored ones.

pub mod connectors;
pub mod csv;
pub mod fold;
pub mod matching;
