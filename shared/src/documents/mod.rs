//! Documents the portal generates for its users, as PDF, in pure Rust.
//!
//! - [`purchase_order`]: the purchase order ("bon de commande") of a
//!   transport, with its vehicles, prices and conditions.
//!
//! The PDF is written by `krilla` (fonts subset and embedded with a
//! `ToUnicode` map, so the text copies and extracts exactly); the text is
//! shaped by `rustybuzz` and laid out by the small engine in `layout`.
//! The font is Liberation Sans (SIL Open Font License, see
//! `shared/data/fonts/`), embedded in the binary.

mod french;
mod layout;
pub mod purchase_order;

pub use purchase_order::{Place, PurchaseOrder, VehicleLine, render};

/// Why a document could not be generated. None of these depend on the
/// document's content: they mean a broken build (a font) or a bug.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// An embedded font could not be read.
    #[error("the embedded font {0} could not be loaded")]
    Font(&'static str),
    /// The PDF writer refused the document.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}
