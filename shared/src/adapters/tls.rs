//! TLS for the calls the functions make, ready at cold start for a few
//! microseconds. By default both the SDK and reqwest read and parse the
//! system's certificate store (about 140 certificates): some 3 ms per
//! client at every cold start or first request (docs/performance.md).
//! - AWS endpoints (DynamoDB, S3, SES, Secrets Manager) chain to Amazon
//!   Trust Services: the SDK's client trusts those five roots only.
//! - The ERP and the dealers' stock feeds are anyone's HTTPS: Mozilla's
//!   roots, compiled in (`webpki-roots`), as trust anchors already parsed.

use std::sync::Arc;

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};

/// Amazon Root CA 1–4 and Starfield Services Root G2 (PEM).
const AWS_ROOTS_PEM: &str = include_str!("../../certs/aws-roots.pem");

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("TLS configuration of the AWS client: {0}")]
    Aws(String),
}

/// The HTTPS client of every SDK client (rustls with aws-lc, as the SDK's
/// default), trusting Amazon's roots only.
pub fn aws_http_client() -> Result<SharedHttpClient, TlsError> {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AWS_ROOTS_PEM.as_bytes());
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|err| TlsError::Aws(err.to_string()))?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https())
}

/// A rustls configuration for the web at large: Mozilla's roots, aws-lc,
/// TLS 1.2 and 1.3, HTTP/2 or HTTP/1.1.
pub fn web_client_config() -> Result<rustls::ClientConfig, TlsError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// A reqwest client builder on [`web_client_config`].
pub fn reqwest_builder() -> Result<reqwest::ClientBuilder, TlsError> {
    Ok(reqwest::Client::builder().tls_backend_preconfigured(web_client_config()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    #[test]
    fn the_aws_roots_are_the_five_amazon_trust_services_roots() {
        let certs: Vec<CertificateDer<'_>> =
            CertificateDer::pem_slice_iter(AWS_ROOTS_PEM.as_bytes())
                .collect::<Result<_, _>>()
                .expect("valid PEM");
        assert_eq!(certs.len(), 5);
        let mut store = rustls::RootCertStore::empty();
        let (valid, invalid) = store.add_parsable_certificates(certs);
        assert_eq!((valid, invalid), (5, 0));
        aws_http_client().expect("the SDK's HTTPS client");
    }

    #[test]
    fn web_clients_build_with_the_compiled_in_roots() {
        let config = web_client_config().expect("config");
        assert_eq!(config.alpn_protocols[0], b"h2");
        assert!(webpki_roots::TLS_SERVER_ROOTS.len() > 100);
        reqwest_builder()
            .expect("builder")
            .build()
            .expect("reqwest accepts the preconfigured rustls");
    }
}
