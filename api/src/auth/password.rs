//! Password hashing with Argon2id (OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane).
//!
//! Each hash needs 19 MiB of working memory. Left to the allocator, every blocking thread that ever
//! hashed keeps its own 19 MiB, and a burst of sign-in attempts hashes (and allocates) all at once;
//! instead, a fixed number of working areas is allocated once and reused, which bounds both the memory
//! and the CPU that password guessing can take.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Longest password accepted (the rule is shared with the console): a sign-in with a longer one is not
/// even hashed.
pub use shared::rules::MAX_PASSWORD_CHARS;
use shared::rules::{InvalidPassword, MIN_PASSWORD_CHARS, check_password};

/// Hashes computed at the same time, at most; others wait their turn.
const CONCURRENT_HASHES: usize = 2;
/// Sign-ins being checked (hashing, or waiting for a working area) at once, at most. Beyond it a sign-in
/// is refused at once rather than queued, so a flood of attempts neither waits without end nor holds the
/// threads other requests use.
pub const SIGN_INS_IN_CHECK: usize = 4 * CONCURRENT_HASHES;

/// The places among the sign-ins one server is checking; one per server (its app data), so that servers
/// sharing a process, as the tests' do, do not share the bound.
#[derive(Debug, Clone)]
pub struct SignInChecks(Arc<Semaphore>);

impl Default for SignInChecks {
    fn default() -> Self {
        SignInChecks(Arc::new(Semaphore::new(SIGN_INS_IN_CHECK)))
    }
}

impl SignInChecks {
    /// A place among the sign-ins being checked, or `None` when they are all taken.
    pub fn start(&self) -> Option<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().ok()
    }
}

fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters")
}

/// The working areas, one per concurrent hash.
static WORKING_MEMORY: LazyLock<Vec<Mutex<Vec<Block>>>> = LazyLock::new(|| {
    (0..CONCURRENT_HASHES)
        .map(|_| Mutex::new(Vec::new()))
        .collect()
});
static NEXT_AREA: AtomicUsize = AtomicUsize::new(0);

/// Argon2id of `password` with `salt` and `params` into `out`, in one of the shared working areas.
fn argon2id(password: &[u8], salt: &[u8], params: Params, out: &mut [u8]) -> anyhow::Result<()> {
    let areas = &*WORKING_MEMORY;
    let mut area = areas
        .iter()
        .find_map(|area| area.try_lock().ok())
        .unwrap_or_else(|| {
            let turn = NEXT_AREA.fetch_add(1, Ordering::Relaxed) % areas.len();
            areas[turn].lock().unwrap_or_else(|e| e.into_inner())
        });
    let blocks = params.block_count();
    if area.len() != blocks {
        area.clear();
        area.resize(blocks, Block::new());
    }
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(password, salt, out, &mut area[..])
        .map_err(|e| anyhow::anyhow!("Argon2: {e}"))
}

/// The PHC string of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("random salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2id(password.as_bytes(), &salt, params(), &mut out)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: (&params()).try_into().map_err(|e| anyhow::anyhow!("{e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("{e}"))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the stored PHC string; an unreadable hash (or another algorithm) matches
/// nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (phc.hash, phc.salt) else {
        return false;
    };
    let Ok(params) = Params::try_from(&phc) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if phc.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    // Output's equality is constant-time.
    argon2id(password.as_bytes(), salt, params, &mut out).is_ok()
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// Spends the time a real verification takes, so a sign-in with an unknown username answers no faster
/// than one with a wrong password: timing must not tell which accounts exist.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        hash_password("no account has this password").expect("hashing a constant works")
    });
    let _ = verify_password(password, dummy);
}

/// Why a new password is refused, if it is, in the words of the API and the CLI.
pub fn check_new_password(password: &str) -> Result<(), String> {
    check_password(password).map_err(|why| match why {
        InvalidPassword::TooShort { chars } => {
            format!("the password needs at least {MIN_PASSWORD_CHARS} characters; it has {chars}")
        }
        InvalidPassword::TooLong { .. } => {
            format!("the password may have at most {MAX_PASSWORD_CHARS} characters")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_made_by_the_argon2_crate_itself_verify() {
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::encode_b64(b"sixteen byte salt").unwrap();
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(b"hunter2 hunter2", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("hunter2 hunter2", &reference));
        assert!(!verify_password("hunter3 hunter3", &reference));
    }

    #[test]
    fn a_hash_is_argon2id_and_verifies_only_its_password() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("correct horse battery stapler", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(
            hash_password("same").unwrap(),
            hash_password("same").unwrap()
        );
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("twelve chars").is_ok());
    }
}
