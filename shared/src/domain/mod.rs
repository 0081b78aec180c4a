//! Pure types and rules: no I/O, no SDK, no clock reads.
//!
//! Each concept has its own small module; the main types are re-exported
//! here (`crate::domain::Plate`, `crate::domain::Money`, ...). Parsers take
//! user text and give French error messages, ready for a [`FieldError`].

pub mod address;
pub mod money;
pub mod order_status;
pub mod password;
pub mod plate;
pub mod user;
pub mod validation;
pub mod vin;

pub use address::{
    AddressFields, AddressInput, Country, CountryError, PostalCode, PostalCodeError,
};
pub use money::{Money, VAT_RATE_BASIS_POINTS};
pub use order_status::{OrderStatus, ParseOrderStatusError, TransitionError};
pub use password::{PasswordError, PasswordPolicy, validate_password};
pub use plate::{ParsedPlate, Plate, PlateError, PlateKind};
pub use user::{
    EmailAddress, EmailError, ParseUserEnumError, PersonName, PersonNameError, Role, UserStatus,
};
pub use validation::FieldError;
pub use vin::{ParsedVin, Vin, VinError};
