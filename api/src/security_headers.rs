//! Headers every response carries. The Content-Security-Policy allows this server's own files only, plus
//! the one inline script Trunk writes into `index.html` to start the WASM app, by its hash; WASM
//! compilation needs 'wasm-unsafe-eval', which still forbids JavaScript `eval`.

use std::path::Path;

use actix_web::middleware::DefaultHeaders;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The policy for a web app whose `index.html` is in `static_dir`.
pub fn content_security_policy(static_dir: &Path) -> String {
    let index = std::fs::read_to_string(static_dir.join("index.html")).unwrap_or_default();
    let hashes: String = inline_scripts(&index)
        .map(|script| format!(" 'sha256-{}'", STANDARD.encode(Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The contents of `<script>` elements without a `src`, exactly as the browser hashes them.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, rest) = rest.split_once('>')?;
        if attributes.contains("src=") {
            return None;
        }
        rest.split_once("</script>").map(|(body, _)| body)
    })
}

pub fn security_headers(csp: &str) -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", csp.to_owned()))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        ))
}

/// Tells browsers to come back only over HTTPS for a year, on every answer to a request that came over
/// HTTPS (directly, or per a trusted proxy); over plain HTTP the header would mean nothing (RFC 6797).
pub async fn strict_transport_security(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let https = crate::client::client(req.request()).https;
    let mut response = next.call(req).await?;
    if https {
        response.headers_mut().insert(
            actix_web::http::header::STRICT_TRANSPORT_SECURITY,
            actix_web::http::header::HeaderValue::from_static("max-age=31536000"),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = "<script src=\"/a.js\"></script><script type=\"module\">\nimport x;\n</script>";
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), ["\nimport x;\n"]);
    }

    #[test]
    fn the_policy_names_the_inline_script_by_hash() {
        let dir = std::env::temp_dir().join(format!("csp-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<script type=module>alert(1)</script>",
        )
        .unwrap();
        let policy = content_security_policy(&dir);
        let expected = STANDARD.encode(Sha256::digest("alert(1)"));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
