//! Password hashing with argon2id at OWASP's recommended cost
//! (m = 19 MiB, t = 2, p = 1). Hashing is CPU-bound: it runs on the blocking
//! pool so it never stalls the async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::TryRngCore;
use rand::rngs::OsRng;

use crate::error::{AppError, AppResult};

const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

fn argon2() -> AppResult<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| AppError::Unexpected(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A hash of a password nobody has (random, thrown away), verified when the
/// e-mail is unknown so that a wrong e-mail and a wrong password take the
/// same time. A constant with the same parameters as [`argon2`]: nothing to
/// compute at cold start nor on the first failed sign-in (computing it cost
/// every function ~25 ms of cold start, see docs/performance.md).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$wndRIeH4b3opY6l8Wg9mSg$qSXTR2KYcF30VT83KsNIfjj00e+2ISR6AW3pfAnU4so";

fn hash_blocking(password: &str) -> AppResult<String> {
    let mut salt_bytes = [0u8; 16];
    OsRng
        .try_fill_bytes(&mut salt_bytes)
        .map_err(|e| AppError::Unexpected(format!("random source failed: {e}")))?;
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| AppError::Unexpected(format!("argon2 salt: {e}")))?;
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Unexpected(format!("argon2 hash: {e}")))
}

fn verify_blocking(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    argon2()
        .map(|argon| argon.verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

async fn blocking<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| AppError::Unexpected(format!("hashing task failed: {e}")))
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of a new password.
pub async fn hash(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    blocking(move || hash_blocking(&password)).await?
}

/// Whether the password matches the stored hash; `None` checks against a
/// dummy hash and answers `false`, in the same time.
pub async fn verify(password: &str, stored: Option<&str>) -> AppResult<bool> {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    blocking(move || match stored {
        Some(phc) => verify_blocking(&password, &phc),
        None => {
            verify_blocking(&password, DUMMY_HASH);
            false
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_at_owasp_cost_and_verifies() {
        let phc = hash("correct horse battery staple").await.expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(
            verify("correct horse battery staple", Some(&phc))
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong horse battery staple", Some(&phc))
                .await
                .expect("verify")
        );
        assert!(
            !verify("anything", Some("not a phc string"))
                .await
                .expect("verify")
        );
        assert!(!verify("anything", None).await.expect("verify"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_costs() {
        let real = hash_blocking("any password").expect("hash");
        let head = |phc: &str| phc.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(head(DUMMY_HASH), head(&real));
        let digest = |phc: &str| phc.rsplit('$').next().map(str::len);
        assert_eq!(digest(DUMMY_HASH), digest(&real));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[tokio::test]
    async fn salts_every_hash() {
        let a = hash("same password twice").await.expect("hash");
        let b = hash("same password twice").await.expect("hash");
        assert_ne!(a, b);
    }
}
