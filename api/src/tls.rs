//! HTTPS without a proxy: the certificate chain and private key of `--tls-cert` and `--tls-key`, read
//! once at start-up into rustls's server configuration. rustls runs on the `ring` provider, chosen here
//! rather than taken from a process-wide default, so the build needs no `aws-lc-rs` (a slow native
//! build) and nothing else in the process can change which provider the server uses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rustls::ServerConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The PEM files the server proves its name with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain: the server's certificate first, then the intermediates.
    pub cert: PathBuf,
    /// Its private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Reads both files and checks that they belong together. Every error names the flag and the file,
/// since it ends start-up and an operator reads it.
pub fn server_config(files: &TlsFiles) -> anyhow::Result<ServerConfig> {
    let chain =
        read_chain(&files.cert).with_context(|| format!("--tls-cert {}", files.cert.display()))?;
    let key = read_key(&files.key).with_context(|| format!("--tls-key {}", files.key.display()))?;
    ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| match error {
            rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                anyhow::anyhow!("the key is not the one of the (first) certificate")
            }
            other => anyhow::Error::new(other),
        })
        .with_context(|| {
            format!(
                "--tls-cert {} with --tls-key {}",
                files.cert.display(),
                files.key.display()
            )
        })
}

fn read_chain(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let pem_text = std::fs::read(path)?;
    let chain = CertificateDer::pem_slice_iter(&pem_text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(readable)?;
    anyhow::ensure!(
        !chain.is_empty(),
        "no certificate in it (expected PEM, -----BEGIN CERTIFICATE-----)"
    );
    Ok(chain)
}

fn read_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    let pem_text = std::fs::read(path)?;
    PrivateKeyDer::from_pem_slice(&pem_text).map_err(|error| match error {
        pem::Error::NoItemsFound => {
            anyhow::anyhow!("no private key in it (expected PEM, -----BEGIN PRIVATE KEY-----)")
        }
        other => readable(other),
    })
}

/// pem's errors print the offending line as a list of bytes; say what it is instead.
fn readable(error: pem::Error) -> anyhow::Error {
    match error {
        pem::Error::MissingSectionEnd { .. } => {
            anyhow::anyhow!("not valid PEM: a section never ends")
        }
        pem::Error::IllegalSectionStart { .. } => {
            anyhow::anyhow!("not valid PEM: a malformed -----BEGIN line")
        }
        other => anyhow::anyhow!("not valid PEM: {other}"),
    }
}
