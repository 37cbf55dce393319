//! Random secrets and how they are stored: only a SHA-256 of a secret ever reaches the database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Letters that cannot be mistaken for one another when read aloud or copied by hand.
const ID_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS generator failing means the machine cannot make secrets at all; nothing sensible remains.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator works");
    bytes
}

/// 256 random bits, URL-safe: cookie values, CSRF tokens, the secret part of API tokens.
pub fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// Characters of a [`random_id`].
pub const ID_CHARS: usize = 16;

/// A short public id (80 random bits) in lower-case letters and digits.
pub fn random_id() -> String {
    random_bytes::<ID_CHARS>()
        .iter()
        .map(|byte| ID_ALPHABET[usize::from(byte & 31)] as char)
        .collect()
}

/// A password for a person to type once: 24 characters, about 143 bits.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    random_bytes::<24>()
        .iter()
        // 256 is not a multiple of 56, so a plain modulo would favour the first letters slightly;
        // drawing from 32 bytes per character instead would be overkill for a one-time password.
        .map(|byte| ALPHABET[usize::from(*byte) % ALPHABET.len()] as char)
        .collect()
}

/// The form a secret is stored and looked up in.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_43_url_safe_characters_and_differ() {
        let (a, b) = (random_secret(), random_secret());
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a, b);
    }

    #[test]
    fn ids_use_the_unambiguous_alphabet() {
        let id = random_id();
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|c| ID_ALPHABET.contains(&c)));
    }

    #[test]
    fn the_digest_is_sha256_in_hex() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
