//! Single-use link tokens (invitations, password resets): 256 random bits,
//! sent once by e-mail, stored only as their SHA-256 hash.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// A fresh token as `(secret for the link, hash to store)`.
pub fn generate() -> AppResult<(String, String)> {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| AppError::Unexpected(format!("random source failed: {e}")))?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&secret);
    Ok((secret, hash))
}

/// The stored form of a token (hex SHA-256).
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_unique_and_stored_hashed() {
        let (a, hash_a) = generate().expect("token");
        let (b, _) = generate().expect("token");
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits in unpadded base64url");
        assert_eq!(hash_a, hash(&a));
        assert_eq!(hash_a.len(), 64);
        assert!(!hash_a.contains(&a));
    }
}
